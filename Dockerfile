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

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 winzone
COPY --from=build /opt/winzone /opt/winzone
ENV PATH=/opt/winzone/bin:$PATH PYTHONUNBUFFERED=1 APP_ENV=production
USER winzone
WORKDIR /home/winzone
CMD ["winzone", "serve", "gateway"]
