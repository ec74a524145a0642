# Shared by scripts/test and scripts/cluster-demo (sourced): installs what
# is missing, starts a redis-server and the nisshi broker on free loopback
# ports, exports ERRAND_TEST_REDIS_URL and ERRAND_TEST_KAFKA_BROKERS, and
# stops both on exit.

say() { printf '==> %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

apt_install() {
  say "installing $*"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

have pkg-config && pkg-config --exists openssl || apt_install pkg-config libssl-dev
have redis-server && have redis-cli || apt_install redis-server redis-tools
have openssl || apt_install openssl
{ have chromium && have chromedriver; } || apt_install chromium chromium-driver
have espeak-ng || apt_install espeak-ng
python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
{ docker compose version >/dev/null 2>&1 || have docker-compose; } || apt_install docker-compose
export PATH="$HOME/.cargo/bin:$PATH"
cargo nextest --version >/dev/null 2>&1 || { say "installing cargo-nextest"; cargo install --locked cargo-nextest; }
if ! have nisshi; then
  say "installing the nisshi Kafka-protocol broker (once; it takes a while to build)"
  cargo install nisshi --version 0.8.1 --locked --ignore-rust-version --no-default-features --features dynostore
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The run's shared Redis and broker (tests isolate their keys and topics by prefix).
port=$(free_port)
redis_dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$redis_dir" \
  --daemonize yes --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log"
kafka_port=$(free_port)
nisshi broker --listener-url "tcp://127.0.0.1:$kafka_port" --advertised-listener-url "tcp://127.0.0.1:$kafka_port" \
  --storage-engine memory://nisshi/ >"$redis_dir/nisshi.log" 2>&1 &
nisshi_pid=$!
cleanup() {
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
  kill "$nisshi_pid" 2>/dev/null || true
  kill "${stt_pid:-}" 2>/dev/null || true
  rm -rf "$redis_dir"
}
trap cleanup EXIT
for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$kafka_port") 2>/dev/null && break; sleep 0.1; done
export ERRAND_TEST_REDIS_URL="redis://127.0.0.1:$port"
export ERRAND_TEST_KAFKA_BROKERS="127.0.0.1:$kafka_port"
# The local speech-to-text server (installs itself the first time).
stt_port=$(free_port)
scripts/stt/run --port "$stt_port" >"$redis_dir/stt.log" 2>&1 &
stt_pid=$!
for _ in $(seq 600); do
  (exec 3<>"/dev/tcp/127.0.0.1/$stt_port") 2>/dev/null && break
  kill -0 "$stt_pid" 2>/dev/null || { cat "$redis_dir/stt.log" >&2; say "the speech-to-text server did not start"; exit 1; }
  sleep 0.5
done
export ERRAND_TEST_STT_URL="http://127.0.0.1:$stt_port/v1"
say "redis-server on port $port, nisshi on port $kafka_port, speech-to-text on port $stt_port"

