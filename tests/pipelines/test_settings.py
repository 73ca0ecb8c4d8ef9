"""Configuration from the environment: clear errors that never echo secret values."""

import pytest

from pipelines.settings import ConfigError, int_setting, kafka_settings


def test_bootstrap_is_required():
    with pytest.raises(ConfigError, match="KAFKA_BOOTSTRAP_SERVERS"):
        kafka_settings({})


def test_sasl_settings_pass_through_to_kafka_python():
    settings = kafka_settings(
        {
            "KAFKA_BOOTSTRAP_SERVERS": "a:9092, b:9092",
            "KAFKA_SECURITY_PROTOCOL": "sasl_ssl",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SASL_USERNAME": "svc",
            "KAFKA_SASL_PASSWORD": "s3cr3t-value",
            "KAFKA_SSL_CAFILE": "/etc/ca.pem",
        }
    )
    config = settings.client_config()
    assert config["bootstrap_servers"] == ["a:9092", "b:9092"]
    assert config["security_protocol"] == "SASL_SSL"
    assert config["sasl_mechanism"] == "SCRAM-SHA-512"
    assert config["sasl_plain_password"] == "s3cr3t-value"
    assert config["ssl_cafile"] == "/etc/ca.pem"
    # The password must not appear when settings are printed or logged.
    assert "s3cr3t-value" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"KAFKA_SECURITY_PROTOCOL": "carrier-pigeon"}, "KAFKA_SECURITY_PROTOCOL"),
        ({"KAFKA_SASL_MECHANISM": "hunter2"}, "KAFKA_SASL_MECHANISM"),
        ({"KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT", "KAFKA_SASL_USERNAME": "u"}, "KAFKA_SASL_PASSWORD"),
    ],
)
def test_errors_name_the_setting_not_the_value(env, names):
    with pytest.raises(ConfigError) as info:
        kafka_settings({"KAFKA_BOOTSTRAP_SERVERS": "x:1", **env})
    assert names in str(info.value)
    for value in env.values():
        if value not in ("SASL_PLAINTEXT", "u"):
            assert value not in str(info.value)


def test_int_setting_rejects_garbage_without_echoing_it():
    with pytest.raises(ConfigError) as info:
        int_setting("ALIGNWATCH_BATCH_RECORDS", 10, {"ALIGNWATCH_BATCH_RECORDS": "lots"})
    assert "ALIGNWATCH_BATCH_RECORDS" in str(info.value) and "lots" not in str(info.value)
    assert int_setting("X", 10, {}) == 10
    with pytest.raises(ConfigError):
        int_setting("X", 10, {"X": "0"})
