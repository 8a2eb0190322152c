#!/bin/sh
# Installing schedtape as a user would: make install into a staging root (every file where
# the FHS says, man pages that render, uninstall leaves nothing), bash and zsh completion
# scripted, and a Debian package built from this tree that installs and runs.
cd "$(dirname "$0")/../.." || exit 1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
TESTS="package_install package_man package_completion_bash package_completion_zsh package_deb"
SUITE=package
. tests/live/lib.sh
command -v help2man >/dev/null || skip_all "help2man is not installed (make deps installs it)"

# 1. make install DESTDIR=... PREFIX=/usr: the FHS places, and uninstall takes it all back.
R=$T/root
out=$(make --no-print-directory install DESTDIR="$R" PREFIX=/usr 2>&1) || fail package_install "$out"
ok=0 missing=
cmds=$($ST --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }')
for f in usr/bin/schedtape usr/share/man/man1/schedtape.1 usr/share/bash-completion/completions/schedtape \
	usr/share/zsh/vendor-completions/_schedtape usr/share/doc/schedtape/README.md \
	usr/share/doc/schedtape/FORMAT.md usr/lib/systemd/system/schedtape-flight.service $(for c in $cmds; do echo "usr/share/man/man1/schedtape-$c.1"; done); do
	[ -f "$R/$f" ] || { ok=1; missing="$missing $f"; }
done
[ -x "$R/usr/bin/schedtape" ] && "$R/usr/bin/schedtape" --version | grep -q "^schedtape " || ok=1
make --no-print-directory uninstall DESTDIR="$R" PREFIX=/usr >/dev/null 2>&1
left=$(find "$R" -type f | wc -l)
check package_install "$([ $ok = 0 ] && [ "$left" = 0 ]; echo $?)" "missing:$missing; $left files left after uninstall"

# 2. Every man page renders (man -l) without a warning, and says what --help says.
make --no-print-directory man >/dev/null 2>&1
ok=0 why=
for p in build/man/*.1; do
	err=$(MANWIDTH=80 man -l "$p" 2>&1 >"$T/page.txt")
	[ -z "$err" ] && [ -s "$T/page.txt" ] || { ok=1; why="$why $p: $err"; }
done
# A page is its command's --help: its first option line and its last.
MANWIDTH=200 man -l build/man/schedtape-states.1 2>/dev/null >"$T/states.txt"
for o in --per-process --anomalies --sort; do grep -q -- "$o" "$T/states.txt" || { ok=1; why="$why states page lacks $o"; }; done
check package_man $ok "$(ls build/man | wc -l) pages;$why"

# 3. bash: complete -p, then a scripted completion of `schedtape st<TAB>` and of options and files.
out=$(PATH="$(pwd):$PATH" bash -c '
	. packaging/schedtape.bash
	complete -p schedtape || exit 1
	COMP_WORDS=(schedtape st); COMP_CWORD=1; _schedtape; echo "cmd:${COMPREPLY[*]}"
	COMP_WORDS=(schedtape states --per); COMP_CWORD=2; _schedtape; echo "opt:${COMPREPLY[*]}"
	cd samples; COMP_WORDS=(schedtape states work); COMP_CWORD=2; _schedtape; echo "file:${COMPREPLY[*]}"' 2>&1)
check package_completion_bash "$(echo "$out" | grep -qx "cmd:states" && echo "$out" | grep -qx "opt:--per-process" &&
	echo "$out" | grep -qx "file:workload.tape"; echo $?)" "$out"

# 4. zsh: the script parses, and with zsh's completion builtins stood in for, offers the same.
if command -v zsh >/dev/null; then
	out=$(zsh -n packaging/_schedtape 2>&1 && zsh -c "
		schedtape() { $(pwd)/$ST \"\$@\" }
		_describe() { print -l -- \${(P)\${@[-1]}} }
		compadd() { [[ \$1 == -a ]] && print -l -- \${(P)2} }
		_files() { print files: \$* }
		CURRENT=2 words=(schedtape st) PREFIX=st; source packaging/_schedtape
		CURRENT=3 words=(schedtape states --p) PREFIX=--p; source packaging/_schedtape
		CURRENT=3 words=(schedtape states w) PREFIX=w; source packaging/_schedtape" 2>&1)
	check package_completion_zsh "$(echo "$out" | grep -q '^states:run, wait' &&
		echo "$out" | grep -qx -- '--per-process' && echo "$out" | grep -q "files: -g \*.tape"; echo $?)" \
		"$(echo "$out" | head -5)"
else
	echo "SKIP live/package_completion_zsh: zsh is not installed (make deps installs it)"
fi

# 5. A .deb built from this tree installs, and schedtape runs from it.
if ! command -v dpkg-buildpackage >/dev/null || ! command -v dh >/dev/null; then
	echo "SKIP live/package_deb: dpkg-dev or debhelper is not installed (make deps installs them)"
elif [ "$(id -u)" != 0 ]; then
	echo "SKIP live/package_deb: not root: installing a package needs root"
elif dpkg-query -W -f='${Status}' schedtape 2>/dev/null | grep -q "install ok installed"; then
	echo "SKIP live/package_deb: a schedtape package is installed here already; not replaced by a test"
else
	mkdir -p "$T/src"
	if git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -z | xargs -0 cp --parents -t "$T/src" 2>/dev/null
		git ls-files -z --others --exclude-standard | xargs -0 -r cp --parents -t "$T/src" 2>/dev/null
	else
		cp -r . "$T/src"
	fi
	(cd "$T/src" && make --no-print-directory clean >/dev/null 2>&1; dpkg-buildpackage -us -uc -b) >"$T/deb.log" 2>&1
	deb=$(ls "$T"/schedtape_*.deb 2>/dev/null | head -1)
	ok=1 why="no package built: $(tail -3 "$T/deb.log")"
	if [ -n "$deb" ] && dpkg -i "$deb" >"$T/inst.log" 2>&1; then
		v=$(/usr/bin/schedtape --version 2>&1)
		why="installed; --version: $v"
		echo "$v" | grep -q "^schedtape $(sed -n 's/^schedtape (\([^)]*\)).*/\1/p;q' debian/changelog) " &&
			man -w schedtape-states >/dev/null 2>&1 &&
			[ -f /usr/share/bash-completion/completions/schedtape ] && ok=0
		dpkg -r schedtape >/dev/null 2>&1 || why="$why; dpkg -r failed"
		[ -e /usr/bin/schedtape ] && { ok=1; why="$why; /usr/bin/schedtape left after removal"; }
	elif [ -n "$deb" ]; then
		why="dpkg -i: $(tail -3 "$T/inst.log")"
	fi
	check package_deb $ok "$why"
	echo "     package_deb: $(basename "${deb:-none}"), $(du -k "${deb:-/dev/null}" 2>/dev/null | cut -f1) KiB"
fi
