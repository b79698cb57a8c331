from pathlib import Path

import pytest

from indexer.config import ConfigError, ESSettings
from indexer.client import client_kwargs, make_client
from search_app.config import Settings


def test_defaults_point_at_the_local_node():
    s = ESSettings.from_env({})
    assert s.url == "http://127.0.0.1:9200" and s.alias == "panjereh-services"
    assert ESSettings.from_env({"ES_PORT": "9299"}).url == "http://127.0.0.1:9299"


def test_values_are_cast():
    s = Settings.from_env({"ES_URL": "https://es.example:9200/", "ES_TIMEOUT": "2.5", "PORT": "8080",
                           "DEBUG": "yes", "ES_MAX_RETRIES": "0", "FACET_EXACT_LIMIT": "5000"})
    assert s.es.url == "https://es.example:9200" and s.es.request_timeout == 2.5
    assert s.port == 8080 and s.debug is True and s.es.max_retries == 0
    assert s.exact_limit == 5000


@pytest.mark.parametrize("env, name", [
    ({"ES_URL": "localhost:9200"}, "ES_URL"),
    ({"ES_URL": "http://bad:x"}, "ES_URL"),
    ({"ES_URL": "http://a:9200,http://b:99999"}, "ES_URL"),
    ({"ES_URL": "http://:9200"}, "ES_URL"),
    ({"ES_TIMEOUT": "fast"}, "ES_TIMEOUT"),
    ({"ES_TIMEOUT": "0"}, "ES_TIMEOUT"),
    ({"PORT": "70000"}, "PORT"),
    ({"DEBUG": "maybe"}, "DEBUG"),
    ({"PANJEREH_INDEX": "Bad Name"}, "PANJEREH_INDEX"),
    ({"ES_USERNAME": "elastic"}, "ES_USERNAME"),
    ({"ES_CA_CERTS": "/no/such/ca.pem"}, "ES_CA_CERTS"),
    ({"PANJEREH_DATA": "/no/such/dir"}, "PANJEREH_DATA"),
    ({"FACET_EXACT_LIMIT": "999"}, "FACET_EXACT_LIMIT"),
    ({"FACET_EXACT_LIMIT": "ten"}, "FACET_EXACT_LIMIT"),
    ({"ES_CONNECTIONS": "0"}, "ES_CONNECTIONS"),
    ({"ES_HTTP_CLIENT": "urllib3"}, "ES_HTTP_CLIENT"),
])
def test_invalid_values_name_the_variable(env, name):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env(env)


def test_secured_cluster_options_reach_the_client(tmp_path: Path):
    ca = tmp_path / "ca.pem"
    ca.write_text("x")
    s = ESSettings.from_env({"ES_URL": "https://a:9200,https://b:9200", "ES_USERNAME": "u",
                             "ES_PASSWORD": "p", "ES_API_KEY": "k", "ES_CA_CERTS": str(ca)})
    kwargs = client_kwargs(s)
    assert kwargs["hosts"] == ["https://a:9200", "https://b:9200"]
    assert kwargs["basic_auth"] == ("u", "p") and kwargs["api_key"] == "k"
    assert kwargs["ca_certs"] == str(ca) and kwargs["max_retries"] == s.max_retries


def test_connections_per_node_reach_the_client():
    """The client keeps ES_CONNECTIONS connections to each node (its own default, 10, would make a
    worker's eleventh search at once wait in the client for a free connection)."""
    assert ESSettings.from_env({}).connections == 32
    s = ESSettings.from_env({"ES_URL": "http://a:9200,http://b:9200", "ES_CONNECTIONS": "48"})
    client = make_client(s)
    try:
        assert [n.config.connections_per_node for n in client.transport.node_pool.all()] == [48, 48]
    finally:
        client.close()
