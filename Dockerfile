# PolicyChat server image: build with the .NET SDK, run on the ASP.NET runtime.
# docker compose builds it (see docker-compose.yml); by hand: docker build -t policychat .
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props PolicyChat.sln ./
COPY src/ src/
RUN dotnet publish src/PolicyChat.Server/PolicyChat.Server.csproj -c Release -o /app /p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# pdftotext for PDF ingestion; curl for the container health check.
RUN apt-get update && apt-get install -y --no-install-recommends poppler-utils curl && rm -rf /var/lib/apt/lists/*
COPY --from=build /app ./
COPY corpus/ /app/corpus/
COPY prompts/ /app/prompts/
ENV ASPNETCORE_URLS=http://+:5080 \
    Urls=http://+:5080 \
    Storage__Sqlite__Path=/data/policychat.db \
    Conversations__Path=/data/conversations.db \
    Answer__PromptsPath=/app/prompts \
    Server__SeedCorpusPath=/app/corpus
VOLUME /data
EXPOSE 5080
HEALTHCHECK --interval=10s --timeout=3s --retries=12 CMD curl -fsS http://127.0.0.1:5080/healthz || exit 1
ENTRYPOINT ["dotnet", "PolicyChat.Server.dll"]
