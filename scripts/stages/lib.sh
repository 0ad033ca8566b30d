# shellcheck shell=bash
# Helpers sourced by the stage scripts (not a stage itself: not executable, so scripts/test
# skips it).

# The repository root (this file is scripts/stages/lib.sh).
stages_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# copy_collection DIR: copy the collection to DIR/ansible_collections/wfp/ipsec and print that
# path. The copy holds the files git knows about (tracked, plus new files .gitignore does not
# ignore, so work in progress is checked too); .venv, .build, caches and test output stay
# behind, and symlinks are left out (ansible-test rejects them; .build links back to the root).
copy_collection() {
  local dest="$1/ansible_collections/wfp/ipsec"
  mkdir -p "$dest"
  git -C "$stages_root" ls-files -z --cached --others --exclude-standard \
    | (cd "$stages_root" && while IFS= read -r -d '' f; do
         [ -f "$f" ] && [ ! -L "$f" ] && printf '%s\0' "$f"
       done) \
    | tar -C "$stages_root" --null -T - -cf - | tar -C "$dest" -xf -
  echo "$dest"
}
