using System.Text.RegularExpressions;
using ProductionTests.RequestsApi.Create;

namespace ProductionTests.UnitTests;

/// <summary>The OpenAPI patterns and the validation's checks are made from the same ranges: they must agree on every character.</summary>
public sealed class TextRulesTests
{
    private static IEnumerable<string> EveryBmpCharacterAlone() =>
        Enumerable.Range(0, 0x10000).Where(c => c is < 0xD800 or > 0xDFFF).Select(c => ((char)c).ToString());

    [Fact]
    public void Title_pattern_accepts_exactly_the_single_characters_the_validation_accepts()
    {
        var pattern = new Regex(TextRules.TitlePattern);
        var disagreements = EveryBmpCharacterAlone()
            .Where(t => pattern.IsMatch(t) != (!TextRules.HasControlCharacter(t) && TextRules.HasVisibleCharacter(t)))
            .Select(t => $"U+{(int)t[0]:X4}").ToList();
        Assert.Empty(disagreements);
    }

    [Fact]
    public void Description_and_provider_id_patterns_agree_with_the_validation_on_every_character()
    {
        var description = new Regex(TextRules.DescriptionPattern);
        var providerId = new Regex(TextRules.NoControlCharactersPattern);
        var disagreements = EveryBmpCharacterAlone()
            .Where(t => description.IsMatch(t) == TextRules.HasControlCharacterOtherThanLineBreaks(t) || providerId.IsMatch(t) == TextRules.HasControlCharacter(t))
            .Select(t => $"U+{(int)t[0]:X4}").ToList();
        Assert.Empty(disagreements);
    }

    [Theory]
    [InlineData("a\u200B", true)]
    [InlineData("\u200B\u200B", false)]
    [InlineData("  x  ", true)]
    [InlineData("a\nb", false)]
    [InlineData("\U0001F600", true)]
    public void Title_pattern_agrees_on_longer_titles(string title, bool accepted)
    {
        Assert.Equal(accepted, new Regex(TextRules.TitlePattern).IsMatch(title));
        Assert.Equal(accepted, !TextRules.HasControlCharacter(title) && TextRules.HasVisibleCharacter(title));
    }

    [Fact]
    public void Lengths_are_code_points()
    {
        Assert.Equal(1, TextRules.Length("\U0001F600"));
        Assert.Equal(2, TextRules.Length("e\u0301"));
    }

    [Fact]
    public void The_validation_knows_exactly_the_members_of_the_body_record() =>
        Assert.Equal(["allowDuplicateParticipation", "description", "maxStamps", "providerIds", "targetPlatform", "title"],
            CreateProductionTestBody.Members.Order(StringComparer.Ordinal));
}
