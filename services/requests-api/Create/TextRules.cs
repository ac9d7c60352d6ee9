using System.Text;

namespace ProductionTests.RequestsApi.Create;

/// <summary>
/// Which characters a text field may hold, written once as character ranges: the validation checks
/// them and the OpenAPI schema's patterns are made from the same ranges.
/// </summary>
public static class TextRules
{
    /// <summary>Control characters (Unicode category Cc).</summary>
    private static readonly (char From, char To)[] Control = [('\u0000', '\u001F'), ('\u007F', '\u009F')];

    /// <summary>Control characters other than tab, line feed and carriage return.</summary>
    private static readonly (char From, char To)[] ControlButLineBreaks =
        [('\u0000', '\u0008'), ('\u000B', '\u000C'), ('\u000E', '\u001F'), ('\u007F', '\u009F')];

    /// <summary>
    /// What shows nothing: control characters, white space, the format characters of the Basic
    /// Multilingual Plane (zero-width space, joiners, direction marks, BOM...) and the blank fillers
    /// that render as nothing (Hangul fillers, braille blank, variation selectors).
    /// </summary>
    private static readonly (char From, char To)[] Invisible =
    [
        ('\u0000', '\u0020'), ('\u007F', '\u00A0'), ('\u00AD', '\u00AD'), ('\u034F', '\u034F'),
        ('\u0600', '\u0605'), ('\u061C', '\u061C'), ('\u06DD', '\u06DD'), ('\u070F', '\u070F'),
        ('\u0890', '\u0891'), ('\u08E2', '\u08E2'), ('\u115F', '\u1160'), ('\u1680', '\u1680'),
        ('\u180B', '\u180F'), ('\u2000', '\u200F'), ('\u2028', '\u202F'), ('\u205F', '\u206F'),
        ('\u2800', '\u2800'), ('\u3000', '\u3000'), ('\u3164', '\u3164'), ('\uFE00', '\uFE0F'),
        ('\uFEFF', '\uFEFF'), ('\uFFA0', '\uFFA0'), ('\uFFF9', '\uFFFB'),
    ];

    public static bool HasControlCharacter(string text) => text.Any(c => In(Control, c));

    public static bool HasControlCharacterOtherThanLineBreaks(string text) => text.Any(c => In(ControlButLineBreaks, c));

    /// <summary>True when something in the text shows (characters outside the Basic Multilingual Plane always count as visible).</summary>
    public static bool HasVisibleCharacter(string text) => text.Any(c => !In(Invisible, c));

    /// <summary>Lengths are Unicode code points, as JSON Schema's maxLength counts them.</summary>
    public static int Length(string text)
    {
        var length = 0;
        foreach (var _ in text.EnumerateRunes()) length++;
        return length;
    }

    // ECMA-262 patterns (JSON Schema's dialect) for the same rules. They avoid '$', which .NET's and
    // other dialects also match before a final line break: "no such character anywhere" is a lookahead.
    public static readonly string NoControlCharactersPattern = $"^(?![\\s\\S]*{OneOf(Control)})";

    public static readonly string DescriptionPattern = $"^(?![\\s\\S]*{OneOf(ControlButLineBreaks)})";

    public static readonly string TitlePattern = $"^(?![\\s\\S]*{OneOf(Control)})[\\s\\S]*{NoneOf(Invisible)}";

    private static bool In((char From, char To)[] ranges, char c) => ranges.Any(r => c >= r.From && c <= r.To);

    private static string OneOf((char From, char To)[] ranges) => Class("[", ranges);

    private static string NoneOf((char From, char To)[] ranges) => Class("[^", ranges);

    private static string Class(string opening, (char From, char To)[] ranges)
    {
        var pattern = new StringBuilder(opening);
        foreach (var (from, to) in ranges)
            pattern.Append(from == to ? $"\\u{(int)from:X4}" : $"\\u{(int)from:X4}-\\u{(int)to:X4}");
        return pattern.Append(']').ToString();
    }
}
