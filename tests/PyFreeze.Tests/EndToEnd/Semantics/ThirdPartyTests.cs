using PyFreeze.Tests.Infrastructure;
using static PyFreeze.Tests.EndToEnd.Semantics.SemanticApps;

namespace PyFreeze.Tests.EndToEnd.Semantics;

/// <summary>
/// The third-party app built once with no flags and run once with Python hidden, beside <c>openssl s_server</c> on
/// 127.0.0.1 (inside the sandbox's own network namespace) with a test CA made by <c>openssl</c>; and run once by
/// Debian's python3, the reference every check is compared with.
/// </summary>
public sealed class ThirdPartyRun : IDisposable
{
    private readonly TempDir _tls = new("sem-tls");

    /// <summary>Builds and runs both.</summary>
    public ThirdPartyRun()
    {
        var app = ThirdParty();
        var script = Path.Combine(_tls.Path, "tls.sh");
        File.WriteAllText(script, """
            set -eu
            cd "$1"; shift
            port=4433  # the sandbox has its own network namespace: every port is free
            ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
            # the extensions a strict verifier wants (Python 3.13+ sets VERIFY_X509_STRICT): key usage on the CA, key identifiers
            openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj "/CN=PyFreeze Test CA" \
              -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
            openssl req $ec -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
            printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\nauthorityKeyIdentifier=keyid\nsubjectKeyIdentifier=hash\n' > ext.cnf
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf 2>/dev/null
            openssl s_server -accept 127.0.0.1:$port -cert server.pem -key server.key -www -quiet >/dev/null 2>&1 &
            server=$!
            rc=0
            SEM_TLS_PORT=$port SEM_TLS_CA="$PWD/ca.pem" "$@" || rc=$?
            kill $server
            exit $rc
            """);
        Frozen = NewSandbox().Run("/bin/bash", [script, _tls.Path, app.Executable], binds: [_tls.Path, Path.GetDirectoryName(app.Executable)!]);
        Python = Proc.Exec(Pythons.Debian, ["-B", Fixture("thirdparty", "semthird.py")]);
        FrozenValues = Values(Frozen);
        PythonValues = Values(Python);
    }

    /// <summary>The frozen run.</summary>
    public Run Frozen { get; }

    /// <summary>python3 semthird.py (no TLS server: its TLS lines are absent).</summary>
    public Run Python { get; }

    /// <summary>The frozen run's values.</summary>
    public Dictionary<string, string> FrozenValues { get; }

    /// <summary>The python3 run's values.</summary>
    public Dictionary<string, string> PythonValues { get; }

    /// <inheritdoc />
    public void Dispose() => _tls.Dispose();
}

/// <summary>
/// Real packages frozen with no flags (jinja2 PackageLoader, yaml's C loader, pygments' by-name lookups, click,
/// flask's test client, lxml, Pillow, cryptography, numpy, pytz), importlib.metadata of Debian's distributions and
/// TLS with a real CA bundle (ssl, requests, certifi): each check prints what python3 prints.
/// </summary>
[Trait("Roots", "inside")] // also run inside the trixie and sid roots (Python 3.13, 3.14): see DebianRoots
public class ThirdPartyTests(ThirdPartyRun r) : IClassFixture<ThirdPartyRun>
{
    private void Same(string prefix, params (string Key, string Value)[] expected)
    {
        Assert.True(r.Frozen.ExitCode == 0, r.Frozen.ToString());
        Assert.True(r.Python.ExitCode == 0, r.Python.ToString());
        var keys = r.PythonValues.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(keys);
        foreach (var k in keys)
        {
            Assert.True(r.FrozenValues.ContainsKey(k), $"frozen run has no '{k}='\n{r.Frozen}");
            Assert.True(r.PythonValues[k] == r.FrozenValues[k], $"{k}: python3 {r.PythonValues[k]} / frozen {r.FrozenValues[k]}");
        }
        foreach (var (key, value) in expected)
            Has(r.FrozenValues, key, value, r.Frozen);
    }

    [Fact]
    public void Every_check_ran_without_an_exception()
    {
        Assert.True(r.Frozen.ExitCode == 0, r.Frozen.ToString());
        Assert.DoesNotContain(r.FrozenValues.Keys, k => k.EndsWith("-error", StringComparison.Ordinal));
        Assert.DoesNotContain(r.PythonValues.Keys, k => k.EndsWith("-error", StringComparison.Ordinal));
        Assert.Equal("", r.Frozen.StdErr);
    }

    [Fact]
    public void Jinja2_package_loader() => Same("jinja2",
        ("jinja2-render", "<title>Hello &lt;Ada&gt;</title>"), ("jinja2-list", "['base.html', 'hello.html']"));

    [Fact]
    public void Yaml_with_the_c_loader() => Same("yaml",
        ("yaml-libyaml", "True"), ("yaml-load", "{'a': [1, 2], 'b': {'c': 'd'}}"), ("yaml-dump", "x:|- 1|- 2"));

    [Fact]
    public void Pygments_lexers_formatters_and_styles_by_name() => Same("pygments",
        ("pygments-html", "True"), ("pygments-rust", "Rust"), ("pygments-style", "MonokaiStyle"), ("pygments-ansi", "True"));

    [Fact]
    public void Click_command() => Same("click", ("click-output", "hi Ada|hi Ada"), ("click-exit", "0"), ("click-bad-exit", "2"));

    [Fact]
    public void Flask_test_client() => Same("flask",
        ("flask-json", "(200, {'greeting': 'hi Ada', 'n': 3})"), ("flask-page", "<b>&lt;x&gt;</b>"), ("flask-404", "404"));

    [Fact]
    public void Lxml_parse_and_xpath() => Same("lxml", ("lxml-xpath", "['b']"), ("lxml-html", "xy"), ("lxml-tostring", "<i n=\"1\">a</i>"));

    [Fact]
    public void Pillow_png_and_jpeg() => Same("pil", ("pil-png", "('PNG', (32, 16), (0, 0, 255), (255, 0, 0))"), ("pil-jpeg", "JPEG"));

    [Fact]
    public void Cryptography_fernet_round_trip() => Same("crypto-", ("crypto-fernet", "secret message"));

    [Fact]
    public void Numpy() => Same("numpy", ("numpy-sum", "66.0"), ("numpy-solve", "[1.0, 2.0]"));

    [Fact]
    public void Pytz_uses_the_system_database() => Same("pytz", ("pytz-paris", "2:00:00"));

    [Fact]
    public void Importlib_metadata_of_debian_distributions()
    {
        Same("md-", ("md-name", "click"), ("md-ep-flask", "flask.cli:main"), ("md-ep-load", "flask.cli"),
            ("md-ep-pygmentize", "['pygments.cmdline:main']"), ("md-files", "True"));
        var versions = r.FrozenValues["md-versions"];
        foreach (var dist in new[] { "requests", "click", "flask", "jinja2", "pyyaml" })
            Assert.Contains($"'{dist}': '", versions);
        Assert.StartsWith("[", r.FrozenValues["md-requires-flask"]);
    }

    [Fact]
    public void Tls_handshake_with_a_test_ca_and_requests()
    {
        Same("certifi", ("certifi-exists", "True"));
        Same("default-store", ("default-store-exists", "True"), ("default-store-loaded", "True"));
        Same("requests-store", ("requests-store-exists", "True"));
        Has(r.FrozenValues, "tls-version", "TLSv1.3", r.Frozen);
        Has(r.FrozenValues, "tls-peer", "localhost");
        // The default context (the system store the bundled OpenSSL is pointed at) must not trust the test CA.
        Has(r.FrozenValues, "untrusted", "unable to get local issuer certificate");
        Has(r.FrozenValues, "requests-status", "200");
    }
}
