// SPDX-License-Identifier: MIT
/*
 * The report page: a static HTML shell holding the style, the data as JSON
 * and the script that draws it (export/report.css and report.js, built in).
 * The page's Content-Security-Policy forbids every request: it works offline
 * and can never fetch anything, whatever a hostile trace holds.
 */
#include <errno.h>
#include <string.h>

#include "base/text.h"
#include "export/report_assets.h"
#include "report_internal.h"

static const char csp[] = "default-src 'none'; script-src 'unsafe-inline' blob:; "
			  "style-src 'unsafe-inline'; img-src data: blob:; frame-src blob:; "
			  "child-src blob:; form-action 'none'; base-uri 'none'";

int report__write(FILE *out, struct st_reader *r, struct filter *f, const struct sym_opts *so,
		  const struct report_opts *o)
{
	struct report_data d = { .r = r, .f = f, .o = o, .so = so };
	int err = report_data__gather(&d);

	if (err) {
		report_data__free(&d);
		return err;
	}
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		     "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		     "<meta name=\"generator\" content=\"",
		csp);
	text__xml(out, o->version, strlen(o->version));
	fputs("\">\n<title>schedtape report: ", out);
	text__xml(out, o->name, strlen(o->name));
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		     "<noscript><p>This report draws itself with JavaScript, which is off. Its data "
		     "is in the page as JSON (the script element report-data).</p></noscript>\n"
		     "<main id=\"report\"></main>\n"
		     "<script type=\"application/json\" id=\"report-data\">",
		report_css);
	err = report_json__write(out, &d);
	fprintf(out, "</script>\n<script>\n%s</script>\n</body></html>\n", report_js);
	report_data__free(&d);
	if (!err && ferror(out))
		err = -EIO;
	return err;
}
