# bash completion for schedtape: commands, each command's options (read from its own
# --help, so they never go stale) and .tape files.
_schedtape_commands()
{
	schedtape --help 2>/dev/null | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }'
}

_schedtape()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=${COMP_WORDS[1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "$(_schedtape_commands) help --help --version" -- "$cur"))
		return
	fi
	if [ "$cmd" = help ]; then
		[ "$COMP_CWORD" -eq 2 ] && COMPREPLY=($(compgen -W "$(_schedtape_commands)" -- "$cur"))
		return
	fi
	case $prev in
	-o | --output | --symfs | --btf | --parquet | --csv)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(schedtape "$cmd" --help 2>/dev/null |
			grep -oE -- '(^|[ ,])--?[a-zA-Z][a-zA-Z-]*' | tr -d ' ,' | sort -u)" -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -f -X '!*.tape' -- "$cur") $(compgen -d -- "$cur"))
}
complete -o filenames -F _schedtape schedtape
