# One image for every WinZone service; the command picks the service: `winzone serve <service>`.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/winzone
COPY pyproject.toml README.md ./
COPY protos ./protos
COPY winzone_kernel ./winzone_kernel
COPY winzone_ops ./winzone_ops
COPY wallet_service ./wallet_service
COPY payment_gateway ./payment_gateway
COPY reward_service ./reward_service
COPY payout_service ./payout_service
COPY api_gateway ./api_gateway
RUN /opt/winzone/bin/pip install --no-cache-dir .

# The web app the gateway serves at / (an empty folder when the checkout has no web/: the gateway then says so).
FROM node:20-slim AS web
WORKDIR /src
COPY . .
RUN if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm run build; fi && mkdir -p web/dist

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 winzone
COPY --from=build /opt/winzone /opt/winzone
COPY --from=web /src/web/dist /opt/winzone-web
ENV PATH=/opt/winzone/bin:$PATH PYTHONUNBUFFERED=1 APP_ENV=production WEB_DIST_DIR=/opt/winzone-web
USER winzone
WORKDIR /home/winzone
CMD ["winzone", "serve", "gateway"]
