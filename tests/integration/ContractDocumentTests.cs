using System.Collections;
using System.Reflection;
using System.Text.Json;
using ProductionTests.Contracts;
using ProductionTests.IntegrationTests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace ProductionTests.IntegrationTests;

/// <summary>
/// docs/asyncapi.yaml against the contract records (by reflection, so a field added to a record fails
/// here until the document says so). Needs no servers.
/// </summary>
public sealed class ContractDocumentTests
{
    private const string DocumentPath = "docs/asyncapi.yaml";
    private static readonly Lazy<YamlMappingNode> Document = new(LoadDocument);
    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>The public record types of the contracts assembly.</summary>
    private static readonly Type[] ContractRecords = typeof(ChallengeRequested).Assembly.GetExportedTypes()
        .Where(t => t.IsClass && t.GetMethod("<Clone>$") is not null)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToArray();

    /// <summary>The records published on the bus: those no other record holds as a field.</summary>
    private static readonly Type[] Events = ContractRecords
        .Where(t => !ContractRecords.SelectMany(PositionalProperties).Any(p => References(p.PropertyType, t)))
        .ToArray();

    public static TheoryData<string> RecordNames => new(ContractRecords.Select(t => t.Name));
    public static TheoryData<string> EventNames => new(Events.Select(t => t.Name));

    [Fact]
    public void The_document_is_AsyncAPI_3()
    {
        var version = Scalar(Document.Value, "asyncapi");
        Assert.True(version is not null && version.StartsWith("3.", StringComparison.Ordinal), $"{DocumentPath}: asyncapi is '{version}', expected 3.x");
    }

    [Fact]
    public void Reflection_finds_the_known_records_and_events()
    {
        Assert.Subset(ContractRecords.Select(t => t.Name).ToHashSet(),
            new HashSet<string> { nameof(ChallengeRequested), nameof(ChallengePayload), nameof(ChallengeScheduled), nameof(ChallengeSnapshot), nameof(ChallengeFailed) });
        Assert.Subset(Events.Select(t => t.Name).ToHashSet(),
            new HashSet<string> { nameof(ChallengeRequested), nameof(ChallengeScheduled), nameof(ChallengeFailed) });
        Assert.DoesNotContain(typeof(ChallengePayload), Events);
        Assert.DoesNotContain(typeof(ChallengeSnapshot), Events);
    }

    [Theory]
    [MemberData(nameof(RecordNames))]
    public void Each_record_has_a_schema_with_the_same_properties_required_and_types(string recordName)
    {
        var record = ContractRecords.Single(t => t.Name == recordName);
        var problems = new List<string>();
        var schema = Map(Map(Map(Document.Value, "components"), "schemas"), record.Name);
        if (schema is null)
        {
            Assert.Fail($"{record.Name}: {DocumentPath} has no components.schemas.{record.Name}");
            return;
        }
        var where = $"components.schemas.{record.Name}";

        if (Scalar(schema, "type") != "object") problems.Add($"{record.Name}: {where}.type must be object");

        var documented = Map(schema, "properties")?.Children
            .ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => kv.Value, StringComparer.Ordinal) ?? [];
        var positional = PositionalProperties(record).ToDictionary(p => JsonName(p.Name), StringComparer.Ordinal);

        foreach (var (json, property) in positional)
        {
            if (!documented.TryGetValue(json, out var node))
            {
                problems.Add($"{record.Name}.{property.Name}: property '{json}' is missing from {where}.properties");
                continue;
            }
            if (node is not YamlMappingNode propertySchema)
            {
                problems.Add($"{record.Name}.{property.Name}: {where}.properties.{json} is not a schema object");
                continue;
            }
            if (Scalar(propertySchema, "description") is null && Scalar(propertySchema, "$ref") is null)
                problems.Add($"{record.Name}.{property.Name}: {where}.properties.{json} has no description");
            CheckType(Nullability.Create(property), propertySchema, $"{record.Name}.{property.Name}", $"{where}.properties.{json}", problems);
        }
        foreach (var json in documented.Keys.Where(k => !positional.ContainsKey(k)))
            problems.Add($"{record.Name}: {where}.properties.{json} is not a property of the record (it has {string.Join(", ", positional.Keys)})");

        var required = Sequence(schema, "required")?.Children.Select(n => ((YamlScalarNode)n).Value!).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var (json, property) in positional)
        {
            // A parameter with a default was added in a later version: older messages lack it, so it is
            // not required, and the schema states the default that stands in for it.
            var parameter = PrimaryParameter(property);
            var mustBeRequired = !IsNullable(property) && !parameter.HasDefaultValue;
            if (mustBeRequired && !required.Contains(json))
                problems.Add($"{record.Name}.{property.Name}: '{json}' is not nullable in the record but missing from {where}.required");
            if (!mustBeRequired && required.Contains(json))
                problems.Add($"{record.Name}.{property.Name}: '{json}' is " +
                             (parameter.HasDefaultValue ? "optional in the record (it has a default)" : "nullable in the record") +
                             $" but listed in {where}.required");
            if (parameter.HasDefaultValue && documented.GetValueOrDefault(json) is YamlMappingNode withDefault)
            {
                var expected = JsonSerializer.Serialize(parameter.DefaultValue, JsonSerializerOptions.Web).Trim('"');
                if (Scalar(withDefault, "default") != expected)
                    problems.Add($"{record.Name}.{property.Name}: {where}.properties.{json}.default must be {expected} (the record's default)");
            }
        }
        foreach (var json in required.Where(r => !positional.ContainsKey(r)))
            problems.Add($"{record.Name}: {where}.required names '{json}', which is not a property of the record");

        Assert.True(problems.Count == 0, $"{DocumentPath} disagrees with {record.FullName}:\n" + string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(EventNames))]
    public void Each_event_has_its_exchange_channel_a_receive_operation_and_an_enveloped_message(string eventName)
    {
        var record = Events.Single(t => t.Name == eventName);
        var exchange = $"{record.Namespace}:{record.Name}";
        var problems = new List<string>();

        var channels = (IEnumerable<KeyValuePair<YamlNode, YamlNode>>?)Map(Document.Value, "channels")?.Children ?? [];
        var matching = channels.Where(kv => kv.Value is YamlMappingNode c && Scalar(c, "address") == exchange).ToList();
        if (matching.Count != 1)
        {
            Assert.Fail($"{record.Name}: expected one channel with address '{exchange}' in {DocumentPath}, found {matching.Count}");
            return;
        }
        var channelKey = ((YamlScalarNode)matching[0].Key).Value!;
        var channel = (YamlMappingNode)matching[0].Value;
        var where = $"channels.{channelKey}";

        var binding = Map(Map(channel, "bindings"), "amqp");
        var exchangeBinding = Map(binding, "exchange");
        if (Scalar(binding, "is") != "routingKey") problems.Add($"{record.Name}: {where}.bindings.amqp.is must be routingKey");
        if (Scalar(exchangeBinding, "name") != exchange) problems.Add($"{record.Name}: {where}.bindings.amqp.exchange.name must be '{exchange}'");
        if (Scalar(exchangeBinding, "type") != "fanout") problems.Add($"{record.Name}: {where}.bindings.amqp.exchange.type must be fanout");
        if (Scalar(exchangeBinding, "durable") != "true") problems.Add($"{record.Name}: {where}.bindings.amqp.exchange.durable must be true");
        if (Scalar(exchangeBinding, "autoDelete") != "false") problems.Add($"{record.Name}: {where}.bindings.amqp.exchange.autoDelete must be false");

        var operations = Map(Document.Value, "operations")?.Children.Values.OfType<YamlMappingNode>() ?? [];
        if (!operations.Any(o => Scalar(o, "action") == "receive" && Scalar(Map(o, "channel"), "$ref") == $"#/channels/{channelKey}"))
            problems.Add($"{record.Name}: no operation receives on #/channels/{channelKey}");

        var messages = Map(channel, "messages")?.Children.Values.OfType<YamlMappingNode>().ToList() ?? [];
        if (messages.Count != 1) problems.Add($"{record.Name}: {where}.messages must hold exactly one message, holds {messages.Count}");
        foreach (var reference in messages)
        {
            var message = Resolve(reference);
            if (message is null)
            {
                problems.Add($"{record.Name}: {where}.messages does not resolve ({Scalar(reference, "$ref")})");
                continue;
            }
            if (Scalar(message, "contentType") != "application/vnd.masstransit+json")
                problems.Add($"{record.Name}: the message's contentType must be application/vnd.masstransit+json");
            var envelope = Map(Map(message, "payload"), "properties");
            foreach (var member in new[] { "messageId", "messageType", "sentTime", "headers", "message" })
            {
                if (Map(envelope, member) is null) problems.Add($"{record.Name}: the message's payload (the envelope) has no property '{member}'");
            }
            if (Scalar(Map(envelope, "messageType"), "type") != "array")
                problems.Add($"{record.Name}: the envelope's messageType must be an array (of urn:message:{exchange})");
            if (Scalar(Map(envelope, "message"), "$ref") != $"#/components/schemas/{record.Name}")
                problems.Add($"{record.Name}: the envelope's 'message' must $ref #/components/schemas/{record.Name}");
        }

        Assert.True(problems.Count == 0, $"{DocumentPath} disagrees with {record.FullName}:\n" + string.Join("\n", problems));
    }

    /// <summary>Compares a property's CLR type with its schema: JSON type, format, nullability, items, $ref.</summary>
    private static void CheckType(NullabilityInfo info, YamlMappingNode schema, string property, string where, List<string> problems)
    {
        var nullable = info.ReadState == NullabilityState.Nullable;
        var underlying = Nullable.GetUnderlyingType(info.Type) ?? info.Type;

        if (ContractRecords.Contains(underlying))
        {
            var expected = $"#/components/schemas/{underlying.Name}";
            if (!nullable)
            {
                if (Scalar(schema, "$ref") != expected) problems.Add($"{property}: {where} must be {{$ref: '{expected}'}}");
                return;
            }
            var alternatives = (Sequence(schema, "oneOf") ?? Sequence(schema, "anyOf"))?.Children.OfType<YamlMappingNode>().ToList() ?? [];
            if (!alternatives.Any(a => Scalar(a, "$ref") == expected) || !alternatives.Any(a => Scalar(a, "type") == "null"))
                problems.Add($"{property}: {where} is nullable: it must be oneOf [{{$ref: '{expected}'}}, {{type: 'null'}}]");
            return;
        }

        var (jsonType, format) = JsonType(underlying);
        if (jsonType is null)
        {
            problems.Add($"{property}: the test does not know how {underlying} is written in JSON; teach {nameof(JsonType)}");
            return;
        }

        var types = TypeNames(schema);
        var expectedTypes = nullable ? new[] { jsonType, "null" } : [jsonType];
        if (!types.SetEquals(expectedTypes))
            problems.Add($"{property}: {where}.type is [{string.Join(", ", types)}], expected " +
                         (nullable ? $"[{jsonType}, \"null\"] (the record's property is nullable)" : jsonType));
        if (format is not null && Scalar(schema, "format") != format)
            problems.Add($"{property}: {where}.format must be {format}");

        if (jsonType == "array")
        {
            var element = info.ElementType ?? (info.GenericTypeArguments.Length == 1 ? info.GenericTypeArguments[0] : null);
            if (Map(schema, "items") is not { } items)
                problems.Add($"{property}: {where} is an array without items");
            else if (element is null)
                problems.Add($"{property}: the test cannot tell the element type of {underlying}; teach {nameof(CheckType)}");
            else
                CheckType(element, items, $"{property}[]", $"{where}.items", problems);
        }
    }

    private static (string? Type, string? Format) JsonType(Type type)
    {
        if (type == typeof(string)) return ("string", null);
        if (type == typeof(DateTimeOffset) || type == typeof(DateTime)) return ("string", "date-time");
        if (type == typeof(Guid)) return ("string", "uuid");
        if (type == typeof(bool)) return ("boolean", null);
        if (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)) return ("integer", null);
        if (type == typeof(double) || type == typeof(float) || type == typeof(decimal)) return ("number", null);
        if (ElementType(type) is not null) return ("array", null);
        return (null, null);
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string)) return null;
        if (type.IsArray) return type.GetElementType();
        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return enumerable?.GetGenericArguments()[0] ?? (typeof(IEnumerable).IsAssignableFrom(type) ? typeof(object) : null);
    }

    private static HashSet<string> TypeNames(YamlMappingNode schema) =>
        Child(schema, "type") switch
        {
            YamlScalarNode scalar => [scalar.Value!],
            YamlSequenceNode sequence => sequence.Children.OfType<YamlScalarNode>().Select(s => s.Value!).ToHashSet(StringComparer.Ordinal),
            _ => [],
        };

    /// <summary>The record's positional properties, in declaration order (the parameters of its Deconstruct).</summary>
    private static IEnumerable<PropertyInfo> PositionalProperties(Type record)
    {
        var deconstruct = record.GetMethods(BindingFlags.Public | BindingFlags.Instance).SingleOrDefault(m => m.Name == "Deconstruct")
            ?? throw new InvalidOperationException($"{record.Name} is not a positional record (no Deconstruct)");
        return deconstruct.GetParameters().Select(p => record.GetProperty(p.Name!)
            ?? throw new InvalidOperationException($"{record.Name}: no property for the parameter {p.Name}"));
    }

    /// <summary>The primary constructor's parameter for a positional property (it carries the default value, if any).</summary>
    private static ParameterInfo PrimaryParameter(PropertyInfo property)
    {
        var record = property.DeclaringType!;
        var names = PositionalProperties(record).Select(p => p.Name).ToArray();
        var constructor = record.GetConstructors().Single(c => c.GetParameters().Select(p => p.Name).SequenceEqual(names));
        return constructor.GetParameters().Single(p => p.Name == property.Name);
    }

    private static bool References(Type propertyType, Type record) =>
        propertyType == record || Nullable.GetUnderlyingType(propertyType) == record || (ElementType(propertyType) is { } e && References(e, record));

    private static bool IsNullable(PropertyInfo property) => Nullability.Create(property).ReadState == NullabilityState.Nullable;

    private static string JsonName(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    private static YamlMappingNode? Resolve(YamlMappingNode node)
    {
        for (var hops = 0; hops < 8; hops++)
        {
            if (Scalar(node, "$ref") is not { } reference) return node;
            if (!reference.StartsWith("#/", StringComparison.Ordinal)) return null;
            YamlNode current = Document.Value;
            foreach (var segment in reference[2..].Split('/'))
            {
                if (current is not YamlMappingNode map || Child(map, segment.Replace("~1", "/").Replace("~0", "~")) is not { } next) return null;
                current = next;
            }
            if (current is not YamlMappingNode resolved) return null;
            node = resolved;
        }
        return null;
    }

    private static YamlNode? Child(YamlMappingNode? node, string key) =>
        node is not null && node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    private static YamlMappingNode? Map(YamlMappingNode? node, string key) => Child(node, key) as YamlMappingNode;
    private static YamlSequenceNode? Sequence(YamlMappingNode? node, string key) => Child(node, key) as YamlSequenceNode;
    private static string? Scalar(YamlMappingNode? node, string key) => (Child(node, key) as YamlScalarNode)?.Value;

    private static YamlMappingNode LoadDocument()
    {
        using var reader = new StreamReader(RepositoryFiles.Path(DocumentPath));
        var stream = new YamlStream();
        stream.Load(reader);
        return stream.Documents.Single().RootNode as YamlMappingNode
            ?? throw new InvalidDataException($"{DocumentPath} is not a YAML mapping");
    }
}
