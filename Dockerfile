# syntax=docker/dockerfile:1
# Narrator GPU image: the web app (and the `narrator` CLI) built against ONNX Runtime's CUDA package.
#
#   docker build -t narrator .
#   docker run --gpus all -p 8080:8080 -v ./models/narrator:/models:ro -v narrator-data:/data narrator
#
# Runtime base: NVIDIA's cuDNN runtime image with the ASP.NET Core runtime copied in from Microsoft's image of the
# same Ubuntu release. The other way round (aspnet image + NVIDIA's apt repository) would need network key setup at
# build time and hand-picked cuBLAS/cuRAND/cuDNN package versions; NVIDIA's image already pins a tested set.
# The CUDA major must be the one Microsoft.ML.OnnxRuntime.Gpu.Linux links: 1.31's libonnxruntime_providers_cuda.so
# needs libcudart.so.13, libcublas.so.13 and libcublasLt.so.13 (built with CUDA 13.0) and loads cuDNN 9, so this is a
# CUDA 13 + cuDNN 9 image (OnnxRuntimeFlavorTests fails when the two majors part); a 12.x image cannot load the
# provider. A later 13.x tag also works (minor version compatibility) but asks the host for that minor's driver.
# The host needs an NVIDIA driver for CUDA 13.0 (>= 580) and the NVIDIA Container Toolkit; with an older driver the
# toolkit refuses to start the container ("unsatisfied condition: cuda>=13.0"), see README "Docker (GPU)".
ARG CUDA_IMAGE=nvidia/cuda:13.0.1-cudnn-runtime-ubuntu24.04
ARG DOTNET_SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0-noble
ARG DOTNET_RUNTIME_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0-noble

# ---------------------------------------------------------------- build
FROM ${DOTNET_SDK_IMAGE} AS build
WORKDIR /src
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# Restore first, from the project files alone, so source edits do not invalidate the package layer.
COPY .editorconfig Directory.Build.props Directory.Packages.props ./
COPY Narrator.Model/Narrator.Model.csproj Narrator.Model/
COPY Narrator.Web/Narrator.Web.csproj Narrator.Web/
COPY Narrator.Cli/Narrator.Cli.csproj Narrator.Cli/
RUN dotnet restore Narrator.Web/Narrator.Web.csproj -r linux-x64 -p:OnnxRuntimeFlavor=Gpu \
 && dotnet restore Narrator.Cli/Narrator.Cli.csproj -r linux-x64 -p:OnnxRuntimeFlavor=Gpu

COPY Narrator.Model/ Narrator.Model/
COPY Narrator.Web/ Narrator.Web/
COPY Narrator.Cli/ Narrator.Cli/
# The page serves the model guide from inside the app (Narrator.Web embeds it when present).
COPY docs/MODEL.md docs/
RUN dotnet publish Narrator.Web/Narrator.Web.csproj -c Release -r linux-x64 --self-contained false --no-restore \
      -p:OnnxRuntimeFlavor=Gpu -o /out/web \
 && dotnet publish Narrator.Cli/Narrator.Cli.csproj -c Release -r linux-x64 --self-contained false --no-restore \
      -p:OnnxRuntimeFlavor=Gpu -o /out/cli \
 && test -f /out/web/libonnxruntime_providers_cuda.so

# ---------------------------------------------------------------- .NET runtime to copy from
FROM ${DOTNET_RUNTIME_IMAGE} AS dotnet

# ---------------------------------------------------------------- runtime
FROM ${CUDA_IMAGE} AS runtime

# .NET's native dependencies on Ubuntu 24.04, ffmpeg/ffprobe for media, CJK fonts, curl for the health check.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates curl ffmpeg fonts-noto-cjk libgcc-s1 libicu74 libssl3t64 libstdc++6 tzdata zlib1g \
 && rm -rf /var/lib/apt/lists/*

COPY --from=dotnet /usr/share/dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet

RUN groupadd --system --gid 10001 narrator \
 && useradd --system --uid 10001 --gid narrator --home-dir /app --shell /usr/sbin/nologin narrator \
 && mkdir -p /models /data \
 && chown narrator:narrator /data

WORKDIR /app
COPY --from=build /out/web /app/web
COPY --from=build /out/cli /app/cli
RUN printf '#!/bin/sh\nexec dotnet /app/cli/narrator.dll "$@"\n' > /usr/local/bin/narrator \
 && chmod 0755 /usr/local/bin/narrator

# CUDA is asked for explicitly: an image that cannot use the GPU says so loudly (log warning, page banner, /readyz
# "degraded") instead of settling quietly on the CPU as Auto would.
ENV DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS=8080 \
    Narrator__Model__Path=/models \
    Narrator__Model__ExecutionProvider__Provider=Cuda \
    Narrator__DataPath=/data \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility

VOLUME ["/models", "/data"]
EXPOSE 8080
USER narrator

# Loading a 7B package takes a while; /healthz answers as soon as the web host is up (readiness is /readyz).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1

CMD ["dotnet", "/app/web/Narrator.Web.dll"]
