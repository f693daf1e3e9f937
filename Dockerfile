# PolicyChat image: the server (/app) and the `policychat` command line (/app/cli), built with the .NET SDK and run on
# the ASP.NET runtime. docker compose builds it (see docker-compose.yml); by hand: docker build -t policychat .
# Versions are pinned (the same SDK and runtime the tests run on): a floating tag plus warnings-as-errors could break a
# future build. Bump both together.
FROM mcr.microsoft.com/dotnet/sdk:10.0.401 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props PolicyChat.sln ./
COPY src/ src/
RUN dotnet publish src/PolicyChat.Server/PolicyChat.Server.csproj -c Release -o /out/server /p:UseAppHost=false \
 && dotnet publish src/PolicyChat.Cli/PolicyChat.Cli.csproj -c Release -o /out/cli /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0.12 AS runtime
WORKDIR /app
# pdftotext for PDF ingestion; curl for the container health check.
RUN apt-get update && apt-get install -y --no-install-recommends poppler-utils curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/server ./
COPY --from=build /out/cli /app/cli/
COPY corpus/ /app/corpus/
COPY prompts/ /app/prompts/
# `policychat ...` inside the container (docker compose exec policychat policychat --help) runs the CLI with the
# container's settings (the same environment variables as the server).
RUN printf '#!/bin/sh\nexec dotnet /app/cli/policychat.dll "$@"\n' > /usr/local/bin/policychat \
 && chmod 755 /usr/local/bin/policychat \
 && mkdir -p /data \
 && chown "$APP_UID:$APP_UID" /data
# The port comes from the image's own ASPNETCORE_HTTP_PORTS convention; no `Urls`/ASPNETCORE_URLS here, because those
# outrank it and would silently ignore a port a user sets.
ENV ASPNETCORE_HTTP_PORTS=5080 \
    POLICYCHAT_DATA=/data \
    Storage__Sqlite__Path=/data/policychat.db \
    Conversations__Path=/data/conversations.db \
    Answer__PromptsPath=/app/prompts \
    Server__SeedCorpusPath=/app/corpus
# /data exists and belongs to the non-root user before it becomes a volume (a new named volume copies that ownership).
VOLUME /data
# The non-root `app` user the .NET images ship (APP_UID=1654).
USER $APP_UID
EXPOSE 5080
HEALTHCHECK --interval=10s --timeout=3s --retries=12 CMD curl -fsS http://127.0.0.1:5080/healthz || exit 1
ENTRYPOINT ["dotnet", "PolicyChat.Server.dll"]
