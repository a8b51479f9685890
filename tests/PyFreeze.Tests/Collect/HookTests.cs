using PyFreeze.Diagnostics;
using PyFreeze.Hooks;

namespace PyFreeze.Tests.Collect;

/// <summary>Hook parsing of <c>prefix_datas</c> and the built-in hooks that the real-package sweep added.</summary>
[Trait("Lane", "Fast")]
public class HookTests
{
    [Fact]
    public void Prefix_datas_map_a_folder_under_the_prefix_to_one_in_the_package()
    {
        var hook = Hook.Parse("pyproj", """{"prefix_datas": {"share/proj": "proj_dir/share/proj"}}""", "pyproj.json", null);
        Assert.Equal("proj_dir/share/proj", hook.PrefixDatas["share/proj"]);
    }

    [Fact]
    public void Prefix_datas_must_be_an_object_of_strings()
    {
        var e = Assert.Throws<PyFreezeException>(() => Hook.Parse("p", "{\n\"prefix_datas\": [\"share/x\"]}", "p.json", null));
        Assert.Contains("p.json:2", e.Message);
    }

    [Fact]
    public void Built_in_hooks_for_pyproj_and_shapely_load()
    {
        var hooks = HookSet.Load([]);
        Assert.Equal("proj_dir/share/proj", hooks.For("pyproj")!.PrefixDatas["share/proj"]);
        Assert.Contains("import sys", HookSet.ReadRuntimeHook(hooks.For("shapely")!, "rthook_shapely.py"));
    }

    [Fact]
    public void Excluded_imports_hold_back_the_package_but_not_imports_made_inside_the_excluded_name()
    {
        var hooks = HookSet.Load([]);
        Assert.True(hooks.IsExcludedImport("numpy", "numpy.f2py"));               // numpy's own import of its build tool
        Assert.True(hooks.IsExcludedImport("numpy.core.multiarray", "numpy.f2py.crackfortran"));
        Assert.True(hooks.IsExcludedImport("numpy.core", "pytest"));
        Assert.False(hooks.IsExcludedImport("numpy.f2py.f2py2e", "numpy.f2py.crackfortran")); // reached: f2py is the app
        Assert.False(hooks.IsExcludedImport("numpy.f2py", "numpy.f2py.f2py2e"));
        Assert.False(hooks.IsExcludedImport("requests", "numpy.f2py")); // no hook of requests excludes it
    }
}
