# shellcheck shell=bash
# Finds a JDK new enough for Chunkwise and puts it first on PATH. Sourced, not run:
#
#     . bin/find-jdk.sh || exit 1
#
# Exports JAVA_HOME (and CHUNKWISE_JAVA_FEATURE, its feature version, e.g. 25) and puts $JAVA_HOME/bin first on
# PATH. Keeps $JAVA_HOME when it is a JDK >= CHUNKWISE_MIN_JAVA (default 21); otherwise takes the newest JDK found
# in the usual places (the java on PATH, /usr/lib/jvm, /usr/java, /opt, SDKMAN, ~/.jdks, macOS's
# JavaVirtualMachines). A JDK counts when it has bin/java and bin/javac and
# `java -XshowSettings:properties -version` runs and reports java.specification.version. Returns 1 with a message
# on stderr when there is none. Changes nothing else in the calling shell (its helpers are removed afterwards).

# Prints the feature version (21, 25, ...) of the JDK at $1, or returns 1 when it is not a working JDK.
_chunkwise_jdk_feature() {
    local home=$1 props spec
    [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
    props=$("$home/bin/java" -XshowSettings:properties -version 2>&1) || return 1
    spec=$(printf '%s\n' "$props" | sed -n 's/^[[:space:]]*java\.specification\.version = //p' | head -n 1)
    spec=${spec#1.}      # 1.8 -> 8
    spec=${spec%%.*}
    case $spec in '' | *[!0-9]*) return 1 ;; esac
    printf '%s\n' "$spec"
}

# Prints candidate JDK homes, one a line, most likely first.
_chunkwise_jdk_candidates() {
    local java_on_path dir
    if java_on_path=$(command -v java 2>/dev/null); then
        # the real home behind /usr/bin/java and similar links: java.home of that java
        "$java_on_path" -XshowSettings:properties -version 2>&1 \
            | sed -n 's/^[[:space:]]*java\.home = //p' | head -n 1
    fi
    for dir in /usr/lib/jvm/* /usr/java/* /opt/* /opt/java/* /opt/jdk/* \
        "${SDKMAN_CANDIDATES_DIR:-$HOME/.sdkman/candidates}"/java/* "$HOME"/.jdks/* \
        /Library/Java/JavaVirtualMachines/*/Contents/Home "$HOME"/Library/Java/JavaVirtualMachines/*/Contents/Home; do
        [ -x "$dir/bin/java" ] && printf '%s\n' "$dir"
    done
}

_chunkwise_find_jdk() {
    local min=${CHUNKWISE_MIN_JAVA:-21} feature best="" best_feature=0 home looked=""
    if [ -n "${JAVA_HOME:-}" ]; then
        if feature=$(_chunkwise_jdk_feature "$JAVA_HOME") && [ "$feature" -ge "$min" ]; then
            best=$JAVA_HOME
            best_feature=$feature
        else
            echo "find-jdk: JAVA_HOME=$JAVA_HOME is not a JDK >= $min${feature:+ (it is $feature)}; looking for another" >&2
        fi
    fi
    if [ -z "$best" ]; then
        while IFS= read -r home; do
            [ -n "$home" ] || continue
            home=$(cd "$home" 2>/dev/null && pwd -P) || continue   # one look per real directory
            case " $looked " in *" $home "*) continue ;; esac
            looked="$looked $home"
            feature=$(_chunkwise_jdk_feature "$home") || continue
            if [ "$feature" -ge "$min" ] && [ "$feature" -gt "$best_feature" ]; then
                best=$home
                best_feature=$feature
            fi
        done < <(_chunkwise_jdk_candidates)
    fi
    if [ -z "$best" ]; then
        echo "find-jdk: no JDK >= $min found (JAVA_HOME=${JAVA_HOME:-unset}; looked at:${looked:- nothing})." >&2
        echo "find-jdk: install a JDK $min or newer (for example Debian's openjdk-21-jdk, or Temurin) and set JAVA_HOME to it." >&2
        return 1
    fi
    JAVA_HOME=$best
    CHUNKWISE_JAVA_FEATURE=$best_feature
    export JAVA_HOME CHUNKWISE_JAVA_FEATURE
    case ":$PATH:" in
        ":$JAVA_HOME/bin:"*) ;;
        *) PATH="$JAVA_HOME/bin:$PATH"; export PATH ;;
    esac
    return 0
}

if _chunkwise_find_jdk; then
    unset -f _chunkwise_jdk_feature _chunkwise_jdk_candidates _chunkwise_find_jdk
    return 0 2>/dev/null || exit 0   # exit only when run instead of sourced
else
    unset -f _chunkwise_jdk_feature _chunkwise_jdk_candidates _chunkwise_find_jdk
    return 1 2>/dev/null || exit 1
fi
