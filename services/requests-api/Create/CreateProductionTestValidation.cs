using System.Text.Json;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.RequestsApi.Create;

/// <summary>
/// Validates a create body field by field, collecting every error. Null is treated as absent for
/// optional fields. Members that are not <see cref="CreateProductionTestBody"/>'s are refused, so a
/// misspelt field (<c>maxStamp</c>) is not silently replaced by its default.
/// </summary>
public static class CreateProductionTestValidation
{
    public const int TitleMaxLength = 200;
    public const int DescriptionMaxLength = 1000;
    public const int MaxProviderIds = 100;
    public const int ProviderIdMaxLength = 100;
    public const int DefaultMaxStamps = 3;
    public static readonly IReadOnlyList<string> Platforms = ["ios", "android"];

    public sealed record Result(CreateProductionTest? Command, IReadOnlyList<ValidationError> Errors);

    public static Result Validate(JsonElement body)
    {
        var errors = new List<ValidationError>();
        if (body.ValueKind != JsonValueKind.Object)
            return new(null, [Invalid("body", $"The body must be a JSON object, not {Describe(body)}.")]);

        foreach (var member in body.EnumerateObject().Where(m => !CreateProductionTestBody.Members.Contains(m.Name)))
            errors.Add(Invalid(member.Name, $"'{member.Name}' is not a field of this request; fields are {string.Join(", ", CreateProductionTestBody.Members)}."));

        var title = Title(body, errors);
        var description = Description(body, errors);
        var providerIds = ProviderIds(body, errors);
        var platform = TargetPlatform(body, errors);
        var maxStamps = MaxStamps(body, errors);
        var allowDuplicate = AllowDuplicateParticipation(body, errors);

        return errors.Count > 0
            ? new(null, errors.OrderBy(e => e.Code == ErrorCodes.ValidationMissingParameter ? 0 : 1).ToList())
            : new(new CreateProductionTest(title!, description, providerIds, platform, maxStamps, allowDuplicate), errors);
    }

    private static string? Title(JsonElement body, List<ValidationError> errors)
    {
        if (!Present(body, "title", out var value))
        {
            errors.Add(new("title", ErrorCodes.ValidationMissingParameter, "'title' is required."));
            return null;
        }
        var title = ReadString(value, "title", errors);
        if (title is null) return null;
        var length = TextRules.Length(title);
        if (length > TitleMaxLength)
            errors.Add(Invalid("title", $"'title' must be at most {TitleMaxLength} characters; it has {length}."));
        else if (TextRules.HasControlCharacter(title))
            errors.Add(Invalid("title", "'title' must not contain control characters such as line breaks."));
        else if (!TextRules.HasVisibleCharacter(title))
            errors.Add(Invalid("title", "'title' must contain at least one visible character, not only spaces or invisible characters."));
        return title;
    }

    private static string? Description(JsonElement body, List<ValidationError> errors)
    {
        if (!Present(body, "description", out var value)) return null;
        var description = ReadString(value, "description", errors);
        if (description is null) return null;
        var length = TextRules.Length(description);
        if (length > DescriptionMaxLength)
            errors.Add(Invalid("description", $"'description' must be at most {DescriptionMaxLength} characters; it has {length}."));
        else if (TextRules.HasControlCharacterOtherThanLineBreaks(description))
            errors.Add(Invalid("description", "'description' must not contain control characters other than line breaks and tabs."));
        return description;
    }

    private static IReadOnlyList<string>? ProviderIds(JsonElement body, List<ValidationError> errors)
    {
        if (!Present(body, "providerIds", out var value)) return null;
        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(Invalid("providerIds", $"'providerIds' must be an array of provider ids, not {Describe(value)}."));
            return null;
        }
        var ids = new List<string>();
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var field = $"providerIds[{index++}]";
            if (ReadString(item, field, errors) is not { } id) continue;
            if (id.Length == 0) errors.Add(Invalid(field, $"'{field}' must not be empty."));
            else if (TextRules.Length(id) > ProviderIdMaxLength || TextRules.HasControlCharacter(id))
                errors.Add(Invalid(field, $"'{field}' is not a provider id (at most {ProviderIdMaxLength} characters, no control characters)."));
            else if (ids.Contains(id, StringComparer.Ordinal)) errors.Add(Invalid(field, $"'{field}': provider '{id}' is listed twice."));
            else ids.Add(id);
        }
        if (index == 0)
            errors.Add(Invalid("providerIds", "'providerIds' must list at least one provider; omit it to use every eligible provider."));
        else if (index > MaxProviderIds)
            errors.Add(Invalid("providerIds", $"'providerIds' may list at most {MaxProviderIds} providers."));
        return ids;
    }

    private static string? TargetPlatform(JsonElement body, List<ValidationError> errors)
    {
        if (!Present(body, "targetPlatform", out var value)) return null;
        var platform = ReadString(value, "targetPlatform", errors);
        if (platform is not null && !Platforms.Contains(platform))
            errors.Add(Invalid("targetPlatform", $"'targetPlatform' must be one of {string.Join(", ", Platforms)}, or omitted."));
        return platform;
    }

    private static int MaxStamps(JsonElement body, List<ValidationError> errors)
    {
        if (!Present(body, "maxStamps", out var value)) return DefaultMaxStamps;
        if (value.ValueKind != JsonValueKind.Number)
        {
            errors.Add(Invalid("maxStamps", $"'maxStamps' must be a whole number, not {Describe(value)}."));
            return DefaultMaxStamps;
        }
        // A whole number may be written with a zero fraction or an exponent (3.0, 3e0), as JSON Schema's integer allows.
        if (!value.TryGetDecimal(out var number) || number != decimal.Truncate(number) || number < 1 || number > int.MaxValue)
        {
            errors.Add(Invalid("maxStamps", $"'maxStamps' must be a whole number from 1 to {int.MaxValue}; got {value.GetRawText()}."));
            return DefaultMaxStamps;
        }
        return (int)number;
    }

    private static bool AllowDuplicateParticipation(JsonElement body, List<ValidationError> errors)
    {
        if (!Present(body, "allowDuplicateParticipation", out var value)) return false;
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False) return value.GetBoolean();
        errors.Add(Invalid("allowDuplicateParticipation", $"'allowDuplicateParticipation' must be true or false, not {Describe(value)}."));
        return false;
    }

    /// <summary>True when the member is there and not null.</summary>
    private static bool Present(JsonElement body, string name, out JsonElement value) =>
        body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string? ReadString(JsonElement value, string field, List<ValidationError> errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(Invalid(field, $"'{field}' must be a string, not {Describe(value)}."));
            return null;
        }
        try
        {
            return value.GetString()!;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            errors.Add(Invalid(field, $"'{field}' is not valid Unicode text."));
            return null;
        }
    }

    private static ValidationError Invalid(string field, string message) => new(field, ErrorCodes.ValidationInvalidParameter, message);

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
