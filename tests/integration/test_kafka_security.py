"""Kafka over TLS with SCRAM-SHA-512 authentication, configured only from the environment.

A broker of its own gets a SASL_SSL listener with a certificate signed by a CA made here, and
SCRAM users created when its storage is formatted (as ``kafka-storage format --add-scram`` does in
production). The PLAINTEXT listener stays for the readiness probe and for producing test data.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
from pipelines.settings import ConfigError, kafka_settings
from pipelines.testing.kafka_broker import LocalKafka, _free_port, create_topic
from tests.integration.helpers import produce, valid_messages
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse

pytestmark = pytest.mark.integration

USER = "alice"
PASSWORD = f"pw-{uuid.uuid4().hex}"  # unique, so finding it anywhere in output is never a coincidence
REPO = Path(__file__).resolve().parents[2]


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(folder: Path) -> tuple[Path, Path]:
    """A CA (PEM) and the broker's key + certificate chain in one PEM file (Kafka's PEM keystore)."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("alignwatch test CA"))
        .issuer_name(_name("alignwatch test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("localhost"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file = folder / "ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    keystore = folder / "broker.pem"
    # Kafka's PEM keystore wants an unencrypted PKCS#8 key followed by the certificate chain.
    keystore.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + cert.public_bytes(serialization.Encoding.PEM)
        + ca.public_bytes(serialization.Encoding.PEM)
    )
    return ca_file, keystore


class SecureBroker:
    def __init__(self, kafka: LocalKafka, sasl_port: int, ca_file: Path) -> None:
        self.kafka = kafka
        self.plain_bootstrap = kafka.bootstrap
        self.sasl_bootstrap = f"127.0.0.1:{sasl_port}"
        self.ca_file = ca_file

    def env(self, topic: str, password: str = PASSWORD, **extra: str) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.sasl_bootstrap,
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SASL_USERNAME": USER,
            "KAFKA_SASL_PASSWORD": password,
            "KAFKA_SSL_CAFILE": str(self.ca_file),
            "ALIGNWATCH_TOPIC": topic,
            "ALIGNWATCH_GROUP": f"g-{uuid.uuid4().hex[:8]}",
            **extra,
        }


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureBroker]:
    folder = tmp_path_factory.mktemp("tls")
    ca_file, keystore = make_certificates(folder)
    kafka = LocalKafka()
    sasl_port = _free_port()
    while sasl_port in (kafka.port, kafka.controller_port):
        sasl_port = _free_port()
    kafka.extra_config.update(
        {
            "listeners": f"PLAINTEXT://127.0.0.1:{kafka.port},CONTROLLER://127.0.0.1:{kafka.controller_port},"
            f"SASL_SSL://127.0.0.1:{sasl_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{kafka.port},SASL_SSL://127.0.0.1:{sasl_port}",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL",
            "sasl.enabled.mechanisms": "SCRAM-SHA-512",
            "listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config": (
                "org.apache.kafka.common.security.scram.ScramLoginModule required;"
            ),
            "ssl.keystore.type": "PEM",
            "ssl.keystore.location": str(keystore),
        }
    )
    kafka.format_args = ["--add-scram", f"SCRAM-SHA-512=[name={USER},password={PASSWORD}]"]
    try:
        kafka.start()
        yield SecureBroker(kafka, sasl_port, ca_file)
    finally:
        kafka.close()


def test_ingest_over_sasl_ssl_with_settings_from_the_environment(secure_broker, tmp_path):
    topic = create_topic(secure_broker.plain_bootstrap, f"secure-{uuid.uuid4().hex[:8]}")
    ids, values = valid_messages(50)
    produce(secure_broker.plain_bootstrap, topic, values)

    settings = kafka_settings(secure_broker.env(topic))
    assert PASSWORD not in repr(settings)
    limits = IngestLimits(batch_records=20, idle_seconds=2.0)
    ingestor = TranscriptIngestor(build_consumer(settings, limits), LakeLayout(tmp_path), limits, workers=0)
    try:
        report = ingestor.drain()
    finally:
        ingestor.close()
    assert report.transcripts == 50
    stored = Warehouse(LakeLayout(tmp_path)).query("SELECT transcript_id FROM transcripts").column(0).to_pylist()
    assert sorted(stored) == sorted(ids)


def run_cli(args: list[str], env: dict[str, str], home: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KAFKA_", "ALIGNWATCH_"))}
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *args],
        env={**clean, **env, "ALIGNWATCH_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=180,
        cwd=REPO,
        check=False,
    )


def test_cli_ingest_over_sasl_ssl_logs_no_secret(secure_broker, tmp_path):
    topic = create_topic(secure_broker.plain_bootstrap, f"secure-cli-{uuid.uuid4().hex[:8]}")
    _, values = valid_messages(10)
    produce(secure_broker.plain_bootstrap, topic, values)
    result = run_cli(["ingest", "--idle-seconds", "2"], secure_broker.env(topic), tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "10 transcripts" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr


def test_wrong_password_fails_clearly_without_echoing_it(secure_broker, tmp_path):
    topic = create_topic(secure_broker.plain_bootstrap, f"secure-bad-{uuid.uuid4().hex[:8]}")
    wrong = f"wrong-{uuid.uuid4().hex}"
    result = run_cli(["ingest", "--idle-seconds", "2"], secure_broker.env(topic, password=wrong), tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    # kafka-python logs the broker's verdict; the bootstrap then times out.
    assert "invalid credentials" in output and "SCRAM-SHA-512" in output, output[-3000:]
    assert wrong not in output and PASSWORD not in output


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        # A password with SASL_SSL but no username: the error must name the settings, not echo the password.
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_PASSWORD": PASSWORD}, "KAFKA_SASL_USERNAME"),
        # A secret pasted into the wrong variable is a value nobody should see in an error either.
        ({"KAFKA_SECURITY_PROTOCOL": PASSWORD}, "KAFKA_SECURITY_PROTOCOL"),
        ({"KAFKA_SASL_MECHANISM": PASSWORD}, "KAFKA_SASL_MECHANISM"),
    ],
)
def test_configuration_errors_name_the_setting_not_its_value(env, setting, tmp_path):
    full = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", **env}
    with pytest.raises(ConfigError) as info:
        kafka_settings(full)
    assert setting in str(info.value) and PASSWORD not in str(info.value)
    result = run_cli(["ingest"], full, tmp_path)
    assert result.returncode == 2
    assert setting in result.stdout + result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_secret_config_never_reaches_the_summary_or_sql_output(tmp_path):
    secrets = {"KAFKA_SASL_PASSWORD": PASSWORD, "ALIGNWATCH_JUDGE_API_KEY": f"key-{PASSWORD}"}
    for args in (["summary"], ["sql", "SELECT count(*) AS n FROM transcripts"]):
        result = run_cli(args, {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", **secrets}, tmp_path)
        assert result.returncode == 0, result.stderr[-2000:]
        assert PASSWORD not in result.stdout + result.stderr, args
