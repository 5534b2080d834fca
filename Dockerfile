# emu in a container: the image that `./emu k8s render --image` points at (see README,
# "Running a lab on Kubernetes"). Build the jar first, then the image:
#   mvn -B -q -DskipTests package -pl emulator-control -am
#   docker build -t emu:0.1 .
# Node pods run `java ... -cp /opt/emu/emu.jar emu.node.NodeMain CONFIG SECRETS`; the control
# pod runs `emu k8s control`, and `kubectl exec deploy/emu-control -- emu k8s exec NODE -- CMD`
# uses the `emu` script below.
FROM eclipse-temurin:17-jre
COPY emulator-control/target/emu.jar /opt/emu/emu.jar
RUN printf '#!/bin/sh\nexec java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -jar /opt/emu/emu.jar "$@"\n' \
      > /usr/local/bin/emu \
 && chmod 755 /usr/local/bin/emu
WORKDIR /opt/emu
CMD ["emu", "--help"]
