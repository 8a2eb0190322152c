#!/bin/sh
# Man pages from the binary's own --help (help2man), so a page and its --help never
# disagree: schedtape.1, and schedtape-COMMAND.1 for each command the binary has.
#   packaging/man.sh SCHEDTAPE OUTDIR
set -e
ST=$1 OUT=$2
mkdir -p "$OUT"
cmds=$("$ST" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
see=$(mktemp)
trap 'rm -f "$see"' EXIT
{
	echo "[SEE ALSO]"
	for c in $cmds; do printf '.BR schedtape\\-%s (1),\n' "$c"; done
	echo "and the documents in /usr/share/doc/schedtape (README.md, docs/*.md)."
} >"$see"
help2man --no-info --no-discard-stderr --include="$see" \
	--name="record the Linux scheduler, analyze it anywhere" "$ST" >"$OUT/schedtape.1"
for c in $cmds; do
	summary=$("$ST" --help | awk -v c="$c" '$1 == c { $1 = ""; sub(/^ +/, ""); print; exit }')
	help2man --no-info --no-discard-stderr --name="$summary" \
		--help-option="$c --help" --version-option=--version "$ST" |
		sed -e "s/^\.TH SCHEDTAPE /.TH SCHEDTAPE-$(echo "$c" | tr a-z A-Z) /" \
		    -e "s/^schedtape \\\\- /schedtape-$c \\\\- /" \
		    -e "/^\.SH SYNOPSIS/,/^\.SH/ s/^\.B schedtape$/.B schedtape $c/" \
		    -e "/^\.SH SYNOPSIS/,/^\.SH/ s/^\\\\fI\\\\,$c /\\\\fI\\\\,/" >"$OUT/schedtape-$c.1"
done
