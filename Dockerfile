# PolicyChat server image (with the `policychat` CLI): build with the .NET SDK, run on the ASP.NET runtime.
# docker compose builds it (see docker-compose.yml); by hand: docker build -t policychat .
# Image versions are pinned: a floating tag plus warnings-as-errors could break a future build.
FROM mcr.microsoft.com/dotnet/sdk:10.0.100 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props PolicyChat.sln ./
COPY src/ src/
RUN dotnet publish src/PolicyChat.Server/PolicyChat.Server.csproj -c Release -o /app /p:UseAppHost=false \
 && dotnet publish src/PolicyChat.Cli/PolicyChat.Cli.csproj -c Release -o /app/cli /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0.12 AS runtime
WORKDIR /app
# pdftotext for PDF ingestion; curl for the container health check; `policychat` runs the CLI.
RUN apt-get update && apt-get install -y --no-install-recommends poppler-utils curl && rm -rf /var/lib/apt/lists/* \
 && printf '#!/bin/sh\nexec dotnet /app/cli/policychat.dll "$@"\n' > /usr/local/bin/policychat && chmod 755 /usr/local/bin/policychat \
 && mkdir -p /data && chown "$APP_UID" /data
COPY --from=build /app ./
COPY corpus/ /app/corpus/
COPY prompts/ /app/prompts/
# The image's own port convention (ASPNETCORE_HTTP_PORTS); a `Urls` setting here would outrank what users set.
ENV ASPNETCORE_HTTP_PORTS=5080 \
    Storage__Sqlite__Path=/data/policychat.db \
    Conversations__Path=/data/conversations.db \
    Answer__PromptsPath=/app/prompts \
    Server__SeedCorpusPath=/app/corpus
# The .NET images' non-root user; /data is created and owned by it before it becomes a volume.
USER $APP_UID
VOLUME /data
EXPOSE 5080
HEALTHCHECK --interval=10s --timeout=3s --retries=12 CMD curl -fsS http://127.0.0.1:5080/healthz || exit 1
ENTRYPOINT ["dotnet", "PolicyChat.Server.dll"]
