using ProductionTests.RequestsApi.Authentication;

namespace ProductionTests.UnitTests;

public class WorkspaceKeysTests
{
    [Theory]
    [InlineData("sk_workspace_test_abcdefghijklmnop", "sandbox")]
    [InlineData("sk_workspace_test_ABCDEFGHIJ0123456789", "sandbox")]
    [InlineData("sk_workspace_prod_abcdefghijklmnop", "production")]
    [InlineData("sk_workspace_prod_ABCDEF0123456789xyz", "production")]
    public void EnvironmentOf_a_well_formed_key(string key, string environment) =>
        Assert.Equal(environment, WorkspaceKeys.EnvironmentOf(key));

    [Fact]
    public void EnvironmentOf_a_key_with_a_body_of_exactly_16_and_128_characters()
    {
        Assert.Equal("sandbox", WorkspaceKeys.EnvironmentOf("sk_workspace_test_" + new string('a', 16)));
        Assert.Equal("production", WorkspaceKeys.EnvironmentOf("sk_workspace_prod_" + new string('Z', 128)));
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("Bearer x")]
    [InlineData("Bearer sk_workspace_test_abcdefghijklmnop")]
    [InlineData("sk_workspace_test_abcdefghijklmno")] // body of 15 characters
    [InlineData("sk_workspace_test_")]
    [InlineData("sk_workspace_dev_abcdefghijklmnop")]
    [InlineData("sk_workspace_live_abcdefghijklmnop")]
    [InlineData("sk_workspace_TEST_abcdefghijklmnop")]
    [InlineData("SK_workspace_test_abcdefghijklmnop")]
    [InlineData("pk_workspace_test_abcdefghijklmnop")]
    [InlineData("sk_test_abcdefghijklmnop")]
    [InlineData("sk_workspace_testabcdefghijklmnop")]
    [InlineData("sk_workspace_test_abcdefgh-jklmnop")]
    [InlineData("sk_workspace_test_abcdefgh_jklmnop")]
    [InlineData("sk_workspace_test_abcdefgh ijklmnop")]
    [InlineData("sk_workspace_test_abcdefghijklmnöp")]
    [InlineData(" sk_workspace_test_abcdefghijklmnop")]
    [InlineData("sk_workspace_test_abcdefghijklmnop ")]
    [InlineData("xsk_workspace_test_abcdefghijklmnop")]
    public void EnvironmentOf_a_malformed_key_is_null(string key) =>
        Assert.Null(WorkspaceKeys.EnvironmentOf(key));

    [Fact]
    public void EnvironmentOf_a_key_with_a_trailing_line_break_is_null() =>
        Assert.Null(WorkspaceKeys.EnvironmentOf("sk_workspace_test_abcdefghijklmnop\n"));

    [Fact]
    public void EnvironmentOf_a_key_with_a_body_over_128_characters_is_null() =>
        Assert.Null(WorkspaceKeys.EnvironmentOf("sk_workspace_test_" + new string('a', 129)));

    [Theory]
    [InlineData("sk_workspace_test_abcdefghijklmnop", "6a6965c30722e3c56f00a541ce64ca6eccc5153a3f80042ea208893c8659d49e")]
    [InlineData("sk_workspace_prod_ABCDEF0123456789xyz", "d96228587d2f5bde9224eead9f8cb2b7aa22ad27230bd4183c3fe78e6873488c")]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("grüße", "8285d1ad84c6b6e475d3b50dbf90389c8c7a07a278d9ae46d5698cbe872e3834")] // hashed as UTF-8
    public void Hash_is_the_known_sha256(string key, string expected) =>
        Assert.Equal(expected, WorkspaceKeys.Hash(key));

    [Fact]
    public void Hash_is_64_lowercase_hex_characters()
    {
        var hash = WorkspaceKeys.Hash("sk_workspace_prod_ABCDEF0123456789xyz");

        Assert.Equal(64, hash.Length);
        Assert.Matches("^[0-9a-f]{64}$", hash);
    }

    [Fact]
    public void Hash_differs_for_keys_that_differ_only_in_case() =>
        Assert.NotEqual(
            WorkspaceKeys.Hash("sk_workspace_test_abcdefghijklmnop"),
            WorkspaceKeys.Hash("sk_workspace_test_ABCDEFGHIJKLMNOP"));
}
