#!/usr/bin/env bash
# Writes a Terraform CLI configuration that installs providers only from the local filesystem
# mirror (this project builds offline) and prints the mirror root on stdout.
#
#   terraform/scripts/cli-config.sh OUT_FILE
#
# The mirror root is the folder holding registry.terraform.io/. It is taken from
# TF_PLUGIN_MIRROR when set, else looked for in the usual places, else searched for on the
# machine. No machine path is hard-coded in the project.
set -euo pipefail

out="${1:?usage: cli-config.sh OUT_FILE}"

is_mirror() { compgen -G "$1/registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws_*" >/dev/null; }

mirror="${TF_PLUGIN_MIRROR:-}"
if [[ -n "$mirror" ]] && ! is_mirror "$mirror"; then
  echo "TF_PLUGIN_MIRROR=$mirror holds no registry.terraform.io/hashicorp/aws provider" >&2
  exit 1
fi
if [[ -z "$mirror" ]]; then
  for candidate in "$HOME/.terraform.d/plugins" "$HOME/.local/share/terraform/plugins" \
    /usr/local/share/terraform/plugins /usr/share/terraform/plugins /opt/*; do
    if [[ -d "$candidate" ]] && is_mirror "$candidate"; then mirror="$candidate"; break; fi
  done
fi
if [[ -z "$mirror" ]]; then
  binary="$(find / -xdev \( -path /proc -o -path /sys \) -prune -o \
    -name 'terraform-provider-aws_*' -type f -print 2>/dev/null | head -n 1 || true)"
  if [[ -n "$binary" ]]; then
    # <root>/registry.terraform.io/hashicorp/aws/<version>/<os_arch>/terraform-provider-aws_*
    mirror="$(cd "$(dirname "$binary")/../../../../.." && pwd)"
  fi
fi
if [[ -z "$mirror" ]] || ! is_mirror "$mirror"; then
  echo "No local Terraform provider mirror with hashicorp/aws found; set TF_PLUGIN_MIRROR to" \
    "the folder that holds registry.terraform.io/." >&2
  exit 1
fi

mkdir -p "$(dirname "$out")"
cat >"$out" <<HCL
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
HCL
echo "$mirror"
