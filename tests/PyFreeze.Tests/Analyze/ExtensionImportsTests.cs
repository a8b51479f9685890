using PyFreeze.Analyze;
using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.Analyze;

/// <summary>
/// The module names an extension's compiled code imports, read from its strings: cffi-compiled modules (bcrypt,
/// PyNaCl, zstandard) import the top-level <c>_cffi_backend</c> from C, which no import statement shows.
/// </summary>
[Trait("Lane", "Fast")]
public class ExtensionImportsTests
{
    private static readonly HashSet<string> Stdlib = new(StringComparer.Ordinal) { "uuid", "datetime", "_ctypes" };

    private static IReadOnlyList<string> Scan(string strings)
    {
        using var dir = new TempDir("extimp");
        var bytes = new List<byte> { 0x7f, (byte)'E', (byte)'L', (byte)'F', 0 };
        foreach (var s in strings.Split(' '))
            bytes.AddRange([.. System.Text.Encoding.ASCII.GetBytes(s), 0]);
        var path = dir["_mod.abi3.so"];
        File.WriteAllBytes(path, [.. bytes]);
        return ExtensionImports.Candidates(path, "bcrypt", Stdlib);
    }

    [Fact]
    public void A_private_top_level_runtime_such_as_cffi_backend_is_a_candidate()
    {
        var c = Scan("_cffi_backend _init_cffi_1_0_external_module uuid datetime.datetime_CAPI bcrypt._bcrypt");
        Assert.Contains("_cffi_backend", c);
        Assert.Contains("uuid", c);
        Assert.Contains("datetime", c);
        Assert.Contains("bcrypt._bcrypt", c);
    }

    [Fact]
    public void Dunder_symbols_short_names_and_other_packages_are_not()
    {
        var c = Scan("__gmon_start__ _ITM_ _np numpy six.moves other.mod");
        Assert.DoesNotContain("__gmon_start__", c);
        Assert.DoesNotContain("_ITM_", c);
        Assert.DoesNotContain("_np", c);
        Assert.DoesNotContain("numpy", c);
        Assert.DoesNotContain("six.moves", c);
    }
}
