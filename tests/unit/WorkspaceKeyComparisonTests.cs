using ProductionTests.RequestsApi.Authentication;

namespace ProductionTests.UnitTests;

/// <summary>The constant-time comparison of a stored key hash with the one computed from a request.</summary>
public class WorkspaceKeyComparisonTests
{
    private const string Key = "sk_workspace_test_abcdefghijklmnop";

    [Fact]
    public void HashBytes_is_the_hash_that_is_stored() =>
        Assert.Equal(WorkspaceKeys.Hash(Key), Convert.ToHexStringLower(WorkspaceKeys.HashBytes(Key)));

    [Fact]
    public void The_stored_hash_of_the_key_matches()
    {
        Assert.True(WorkspaceKeys.HashMatches(WorkspaceKeys.Hash(Key), WorkspaceKeys.HashBytes(Key)));
        Assert.True(WorkspaceKeys.HashMatches(WorkspaceKeys.Hash(Key).ToUpperInvariant(), WorkspaceKeys.HashBytes(Key)));
    }

    [Fact]
    public void Another_keys_hash_does_not_match() =>
        Assert.False(WorkspaceKeys.HashMatches(WorkspaceKeys.Hash("sk_workspace_test_abcdefghijklmnoq"), WorkspaceKeys.HashBytes(Key)));

    [Fact]
    public void A_hash_differing_in_its_last_byte_does_not_match()
    {
        var stored = WorkspaceKeys.Hash(Key);
        var last = stored[^1] == '0' ? '1' : '0';

        Assert.False(WorkspaceKeys.HashMatches(stored[..^1] + last, WorkspaceKeys.HashBytes(Key)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("zz")]
    [InlineData("sk_workspace_test_abcdefghijklmnop")]
    public void A_stored_value_that_is_not_a_hash_matches_nothing(string stored) =>
        Assert.False(WorkspaceKeys.HashMatches(stored, WorkspaceKeys.HashBytes(Key)));

    [Fact]
    public void A_stored_hash_with_a_non_hex_character_or_the_wrong_length_matches_nothing()
    {
        var stored = WorkspaceKeys.Hash(Key);

        Assert.False(WorkspaceKeys.HashMatches("g" + stored[1..], WorkspaceKeys.HashBytes(Key)));
        Assert.False(WorkspaceKeys.HashMatches(stored + "00", WorkspaceKeys.HashBytes(Key)));
        Assert.False(WorkspaceKeys.HashMatches(stored[..^2], WorkspaceKeys.HashBytes(Key)));
        Assert.False(WorkspaceKeys.HashMatches(stored, WorkspaceKeys.HashBytes(Key).AsSpan(0, 31)));
    }
}
