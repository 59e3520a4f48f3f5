#!/bin/bash
# Build (and optionally push) the single-user image for a class on Kubernetes with Zero to JupyterHub.
#
#   deploy/build-image.sh            # build IMAGE:TAG with repo2docker from this checkout
#   PUSH=1 deploy/build-image.sh     # ... and push it to the registry
#
# The image is the Binder environment of this repository (environment.yml + postBuild, built by
# repo2docker, which the course's tests check), with the course installed at /srv/iliopsoas-course:
# not in the home folder, because Zero to JupyterHub mounts each student's own volume over
# /home/jovyan.  Students' copies of the lessons come with nbgitpuller links
# (python -m iliopsoas hub-link), so a corrected lesson needs no new image; a new image is needed
# only when environment.yml or the package's code changes.  Needs Docker and
# `pip install jupyter-repo2docker` (in requirements-dev.txt).
set -euo pipefail
IMAGE="${IMAGE:-ghcr.io/iliopsoas-course/iliopsoas-course}"
TARGET_REPO_DIR="/srv/iliopsoas-course"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TAG="${TAG:-$(git -C "$here" rev-parse --short=12 HEAD)}"
push="--no-push"
if [ "${PUSH:-0}" = "1" ]; then push="--push"; fi
repo2docker --no-run "$push" --user-name jovyan --target-repo-dir "$TARGET_REPO_DIR" \
    --image-name "$IMAGE:$TAG" "$here"
echo "Built $IMAGE:$TAG. In deploy/z2jh-values.yaml set singleuser.image.tag to \"$TAG\"."
