# emu in a container: the image that `./emu k8s render --image` points at (see README,
# "Running a lab on Kubernetes"). Build the jar first, then the image:
#   mvn -B -q -DskipTests package -pl emulator-control -am
#   docker build -t emu:0.1 .
# Node pods run `java ... -cp /opt/emu/emu.jar emu.node.NodeMain CONFIG SECRETS`; the control
# pod runs `emu k8s control`, and `kubectl exec deploy/emu-control -- emu k8s exec NODE -- CMD`
# uses the `emu` script below.
#
# The image runs as the unprivileged user emu (uid and gid 10001, which the rendered pods'
# securityContext names too): host, router and switch nodes are user-space programs (UDP sockets
# on unprivileged ports), and nothing else runs in a pod. Linux nodes, which need root to make
# network namespaces, run only with `./emu up` on a machine, never in this image (`k8s render`
# refuses them). To run something else in it as root anyway: `docker run --user 0 ...`.
FROM eclipse-temurin:17-jre
COPY emulator-control/target/emu.jar /opt/emu/emu.jar
RUN printf '#!/bin/sh\nexec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar /opt/emu/emu.jar "$@"\n' \
      > /usr/local/bin/emu \
 && chmod 755 /usr/local/bin/emu \
 && groupadd --gid 10001 emu \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin emu
WORKDIR /opt/emu
USER 10001:10001
CMD ["emu", "--help"]
