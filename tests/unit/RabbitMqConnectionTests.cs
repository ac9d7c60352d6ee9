using ProductionTests.ServiceDefaults;

namespace ProductionTests.UnitTests;

public class RabbitMqConnectionTests
{
    [Fact]
    public void Parses_the_default_local_uri_with_the_root_vhost()
    {
        var c = RabbitMqConnection.Parse("amqp://guest:guest@127.0.0.1:5672/");

        Assert.Equal(new RabbitMqConnection("127.0.0.1", 5672, "/", "guest", "guest"), c);
    }

    [Fact]
    public void Parses_a_named_vhost_and_an_explicit_port()
    {
        var c = RabbitMqConnection.Parse("amqp://u:p@host:5673/my-vhost");

        Assert.Equal("host", c.Host);
        Assert.Equal(5673, c.Port);
        Assert.Equal("my-vhost", c.VirtualHost);
        Assert.Equal("u", c.Username);
        Assert.Equal("p", c.Password);
    }

    [Fact]
    public void Defaults_the_port_and_credentials()
    {
        var c = RabbitMqConnection.Parse("amqp://host/");

        Assert.Equal(new RabbitMqConnection("host", 5672, "/", "guest", "guest"), c);
    }

    [Fact]
    public void Defaults_the_vhost_when_there_is_no_path()
    {
        var c = RabbitMqConnection.Parse("amqp://u:p@host:5673");

        Assert.Equal(new RabbitMqConnection("host", 5673, "/", "u", "p"), c);
    }

    [Fact]
    public void Decodes_percent_encoded_user_password_and_vhost()
    {
        var c = RabbitMqConnection.Parse("amqp://us%40er:p%3Ass@h/v%2Fh");

        Assert.Equal(new RabbitMqConnection("h", 5672, "v/h", "us@er", "p:ss"), c);
    }

    [Fact]
    public void Accepts_the_rabbitmq_scheme()
    {
        var c = RabbitMqConnection.Parse("rabbitmq://a:b@broker:5680/vh");

        Assert.Equal(new RabbitMqConnection("broker", 5680, "vh", "a", "b"), c);
    }

    [Fact]
    public void Amqps_is_TLS_on_5671_by_default()
    {
        Assert.Equal(new RabbitMqConnection("broker.example", 5671, "prod", "u", "p", UseTls: true), RabbitMqConnection.Parse("amqps://u:p@broker.example/prod"));
        Assert.Equal(new RabbitMqConnection("broker.example", 5700, "/", "u", "p", UseTls: true), RabbitMqConnection.Parse("amqps://u:p@broker.example:5700"));
        Assert.Equal(new RabbitMqConnection("broker.example", 5671, "/", "guest", "guest", UseTls: true), RabbitMqConnection.Parse("rabbitmqs://broker.example/"));
    }

    [Fact]
    public void The_client_factory_and_the_bus_get_the_same_TLS_setting()
    {
        var factory = RabbitMqConnection.Parse("amqps://u:p@broker.example/prod").CreateConnectionFactory();
        Assert.True(factory.Ssl.Enabled);
        Assert.Equal("broker.example", factory.Ssl.ServerName);
        Assert.Equal(5671, factory.Port);
        Assert.False(RabbitMqConnection.Parse("amqp://u:p@broker.example/prod").CreateConnectionFactory().Ssl.Enabled);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not a uri")]
    [InlineData("http://host/")]
    [InlineData("/relative/path")]
    public void Rejects_anything_but_an_amqp_uri(string? value)
    {
        var e = Assert.Throws<InvalidOperationException>(() => RabbitMqConnection.Parse(value));
        Assert.Contains("ConnectionStrings:RabbitMq", e.Message);
    }
}

public class RabbitMqClusterConnectionTests
{
    [Fact]
    public void A_list_of_hosts_is_a_cluster_whose_first_node_is_the_host()
    {
        var c = RabbitMqConnection.Parse("amqp://u:p@10.0.0.1:5701,10.0.0.2:5702,10.0.0.3/vh");

        Assert.Equal("10.0.0.1", c.Host);
        Assert.Equal(5701, c.Port);
        Assert.Equal("vh", c.VirtualHost);
        Assert.Equal(("u", "p"), (c.Username, c.Password));
        Assert.Equal("10.0.0.1:5701,10.0.0.2:5702,10.0.0.3:5672", c.ClusterNodes);
    }

    [Fact]
    public void Nodes_without_a_port_get_the_schemes_port()
    {
        var c = RabbitMqConnection.Parse("amqps://u:p@a,b:5999/");

        Assert.True(c.UseTls);
        Assert.Equal("a:5671,b:5999", c.ClusterNodes);
    }

    [Fact]
    public void One_host_is_no_cluster()
    {
        Assert.Null(RabbitMqConnection.Parse("amqp://guest:guest@127.0.0.1:5672/").ClusterNodes);
    }

    [Theory]
    [InlineData("amqp://u:p@a,,b/")]
    [InlineData("amqp://u:p@a,/")]
    public void An_empty_node_is_refused(string uri)
    {
        Assert.Throws<InvalidOperationException>(() => RabbitMqConnection.Parse(uri));
    }

    [Fact]
    public void Endpoints_lists_every_node_in_order_for_the_ops_commands()
    {
        var endpoints = RabbitMqConnection.Parse("amqp://u:p@a:1,b:2/").Endpoints();

        Assert.Equal(["a:1", "b:2"], endpoints.Select(e => $"{e.HostName}:{e.Port}"));
    }
}
