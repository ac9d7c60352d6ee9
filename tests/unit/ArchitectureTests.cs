using System.Reflection;
using System.Reflection.Emit;
using ProductionTests.RequestsApi.Infrastructure;

namespace ProductionTests.UnitTests;

/// <summary>
/// Infrastructure serves the features and knows none of them: every type it references (in signatures,
/// fields, base types, and the IL of every method, lambdas and async state machines included) lies
/// outside requests-api's feature namespaces.
/// </summary>
public class ArchitectureTests
{
    private const string Root = "ProductionTests.RequestsApi";
    private static readonly Assembly Api = typeof(EventStoreSetup).Assembly;
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    [Fact]
    public void Infrastructure_references_no_feature()
    {
        var offences = Api.GetTypes()
            .Where(t => IsIn(t, Root + ".Infrastructure"))
            .SelectMany(t => ReferencedTypes(t).Where(IsFeature).Select(r => $"{t.FullName} -> {r.FullName}"))
            .Distinct()
            .ToList();
        Assert.True(offences.Count == 0, "Infrastructure references features:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void The_check_sees_a_reference_inside_a_method_body()
    {
        Assert.Contains(typeof(ArchitectureProbe), ReferencedTypes(typeof(ArchitectureTests)).Where(t => t == typeof(ArchitectureProbe)));
        Assert.True(IsFeature(typeof(RequestsApi.Relay.RelayWakeup)));
        Assert.False(IsFeature(typeof(EventStoreSetup)));
    }

    private static void UsesProbe() => GC.KeepAlive(new ArchitectureProbe());

    /// <summary>A feature: any requests-api namespace below the root but Infrastructure.</summary>
    private static bool IsFeature(Type t) =>
        t.Assembly == Api && t.Namespace is { } ns && ns.StartsWith(Root + ".", StringComparison.Ordinal) && !IsIn(t, Root + ".Infrastructure");

    private static bool IsIn(Type t, string ns) => t.Namespace == ns || t.Namespace?.StartsWith(ns + ".", StringComparison.Ordinal) == true;

    private static IEnumerable<Type> ReferencedTypes(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null || !found.Add(t)) return;
            if (t.HasElementType) Add(t.GetElementType());
            if (t.IsGenericType) foreach (var a in t.GetGenericArguments()) Add(a);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(Everything)) Add(f.FieldType);
        foreach (var p in type.GetProperties(Everything)) Add(p.PropertyType);
        foreach (var m in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            foreach (var t in TypesInBody(m)) Add(t);
        }
        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The types a method's IL names: calls, object creations, casts, field accesses, tokens.</summary>
    private static IEnumerable<Type> TypesInBody(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            var value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            var size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                var member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                switch (member)
                {
                    case Type t: yield return t; break;
                    case MethodBase m:
                        yield return m.DeclaringType!;
                        if (m is MethodInfo mi) { yield return mi.ReturnType; foreach (var g in mi.IsGenericMethod ? mi.GetGenericArguments() : []) yield return g; }
                        foreach (var p in m.GetParameters()) yield return p.ParameterType;
                        break;
                    case FieldInfo f: yield return f.DeclaringType!; yield return f.FieldType; break;
                }
            }
            i += size;
        }
    }
}

/// <summary>Only for the check's own test: a type that method bodies in this file reference.</summary>
internal sealed class ArchitectureProbe;
