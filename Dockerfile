# One image with both environments; `make run` inside starts Rasa, the action server and the app.
FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends make gcc g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /srv/shopbot
ENV SHOPBOT_HOME=/opt/shopbot PYTHON=python3 SHOPBOT_HOST=0.0.0.0
COPY requirements/ requirements/
COPY scripts/ scripts/
RUN scripts/bootstrap.sh
COPY . .
RUN scripts/train.sh
EXPOSE 8000
CMD ["scripts/run.sh", "--app-port", "8000"]
