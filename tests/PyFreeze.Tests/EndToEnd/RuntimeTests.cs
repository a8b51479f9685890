using PyFreeze.Tests.Infrastructure;

namespace PyFreeze.Tests.EndToEnd;

/// <summary>
/// What the bootloader does when things go wrong at run time: a damaged or truncated file, a cache it cannot write,
/// a full disk, several first starts at once, an unpack that a crash left half done. Never a broken cache that a later
/// run trusts; always one line and a non-zero exit when the app cannot start.
/// </summary>
public class RuntimeTests
{
    private static Apps.Built Hello() => Apps.Get("hello", "hello.py", Pythons.Debian);

    private static string CacheName(Apps.Built app) => $"hello-{app.Result.Payload!.Sha256[..16]}";

    private static void AssertNoLeftovers(string cacheDir)
    {
        var run = Path.Combine(cacheDir, "run");
        if (!Directory.Exists(run))
            return;
        Assert.DoesNotContain(Directory.GetFileSystemEntries(run), p => Path.GetFileName(p).StartsWith('.'));
    }

    [Fact]
    public void Corrupted_payload_is_refused_with_one_line_and_nothing_cached()
    {
        var app = Hello();
        var middle = app.Result.Emit.PayloadOffset + app.Result.Payload!.Length / 2;
        AssertDamageRefused(app, middle, middle + 1, 0xff);
    }

    [Fact]
    public void Damaged_frame_index_is_reported_as_damage_and_nothing_cached()
    {
        // The frame index leads the payload: with it broken the payload cannot even be cut into frames, which the
        // unpack tries before the hash is checked. The checksum must still decide the message, and nothing may be
        // left behind.
        var app = Hello();
        var start = app.Result.Emit.PayloadOffset;
        AssertDamageRefused(app, start + 16, start + 44, 0x5a); // the frame count and the first frame's record
    }

    [Fact]
    public void Damaged_last_frame_is_reported_as_damage_and_nothing_cached()
    {
        var app = Hello();
        var end = app.Result.Emit.PayloadOffset + app.Result.Payload!.Length;
        AssertDamageRefused(app, end - 22, end - 10, 0x5a); // the last frame's end and its checksum
    }

    /// <summary>Flips bytes [from, to) of a copy of the app, runs it in a fresh sandbox and checks the one-line refusal,
    /// exit code 255 and an empty cache.</summary>
    private static void AssertDamageRefused(Apps.Built app, long from, long to, byte xor)
    {
        using var t = new TempDir("rt");
        var copy = t["hello"];
        File.Copy(app.Executable, copy);
        using (var f = new FileStream(copy, FileMode.Open, FileAccess.ReadWrite))
        {
            for (var at = from; at < to; at++)
            {
                f.Position = at;
                var b = f.ReadByte();
                f.Position = at;
                f.WriteByte((byte)(b ^ xor));
            }
        }
        File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
        var box = Apps.NewSandbox();
        var run = box.Run(copy, ["x"]);
        Assert.Equal(255, run.ExitCode);
        Assert.Equal("hello: error: the executable is damaged (payload checksum mismatch); build or download it again", run.StdErr.Trim());
        Assert.Empty(box.Unpacked());
        AssertNoLeftovers(box.CacheDir);
    }

    [Fact]
    public void Every_payload_file_is_unpacked_whole_with_private_modes()
    {
        // The unpack writes entries from several threads in no fixed order; the result must still be exactly the
        // payload: every folder 0700, every file with its bytes and 0600 (0700 when executable), nothing else.
        var app = Hello();
        var box = Apps.NewSandbox();
        var run = box.Run(app.Executable, ["ok"]);
        Assert.True(run.ExitCode == 3, run.ToString());
        var dir = box.Unpacked().Single();
        // Read as standard tools read it (one zstd stream, the index a skippable frame, then one tar archive), not
        // through the bootloader's frame reader.
        using var payload = File.OpenRead(app.Result.Payload!.Path);
        using var zstd = new ZstdSharp.DecompressionStream(payload);
        using var tar = new System.Formats.Tar.TarReader(zstd);
        var files = 0;
        var deepest = 0;
        while (tar.GetNextEntry() is { } entry)
        {
            var name = entry.Name.TrimEnd('/');
            var path = Path.Combine(dir, name);
            deepest = Math.Max(deepest, name.Count(c => c == '/'));
            if (entry.EntryType == System.Formats.Tar.TarEntryType.Directory)
            {
                Assert.True(Directory.Exists(path), name);
                Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(path));
                continue;
            }
            files++;
            var exec = ((int)entry.Mode & 0b001_001_001) != 0;
            Assert.True(File.Exists(path), name);
            Assert.Equal(exec ? (UnixFileMode)0b111_000_000 : (UnixFileMode)0b110_000_000, File.GetUnixFileMode(path));
            using var expected = new MemoryStream();
            entry.DataStream?.CopyTo(expected);
            Assert.True(expected.ToArray().AsSpan().SequenceEqual(File.ReadAllBytes(path)), name);
        }
        Assert.True(files > 200 && deepest >= 4, $"{files} files, {deepest} levels: too small a payload to tell");
        var marker = Path.Combine(dir, ".pyfreeze-complete");
        var manifest = Path.Combine(dir, ".pyfreeze-manifest"); // what the unpack wrote: the full damage check
        string[] stamps = [Path.Combine(dir, ".pyfreeze-folders"), Path.Combine(dir, ".pyfreeze-cleaned")]; // the quick one's, the clean-up's
        var onDisk = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Where(p => p != marker && p != manifest && !stamps.Contains(p)).ToList();
        Assert.Equal(files, onDisk.Count);
        foreach (var sub in Directory.GetDirectories(dir, "*", SearchOption.AllDirectories))
            Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(sub));
    }

    [Fact]
    public void Truncated_binary_fails_without_running_and_leaves_no_cache()
    {
        var app = Hello();
        using var t = new TempDir("rt");
        var copy = t["hello"];
        var bytes = File.ReadAllBytes(app.Executable);
        File.WriteAllBytes(copy, bytes[..(int)(app.Result.Emit.PayloadOffset + app.Result.Payload!.Length / 2)]);
        File.SetUnixFileMode(copy, (UnixFileMode)0b111_101_101);
        var box = Apps.NewSandbox();
        var run = box.Run(copy, ["x"]);
        Assert.NotEqual(0, run.ExitCode);
        Assert.NotEqual(3, run.ExitCode);
        // Truncation cuts the bundle manifest (it ends the file): the NativeAOT bootloader, its own bundle host, finds
        // the manifest's offset beyond the end and says so in one line.
        var line = Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("hello: error: the executable is truncated", line);
        Assert.Empty(box.Unpacked());
    }

    [Fact]
    public void Unwritable_cache_falls_back_to_a_private_temp_folder_and_says_so_once()
    {
        var app = Hello();
        var box = Apps.NewSandbox();
        // Inside the sandbox /usr is read-only even for root; the fallback is $TMPDIR/pyfreeze-UID.
        var run = box.Run("/bin/bash", ["-c", "PYFREEZE_CACHE_DIR=/usr/share/pyfreeze-ro \"$0\" one; PYFREEZE_CACHE_DIR=/usr/share/pyfreeze-ro \"$0\" two; ls -ld /tmp/pyfreeze-*", app.Executable],
            binds: [Path.GetDirectoryName(app.Executable)!]);
        Assert.Contains("argv: ['one']", run.StdOut);
        Assert.Contains("argv: ['two']", run.StdOut);
        var notes = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(notes);
        Assert.StartsWith("hello: note: the cache is not usable", notes[0]);
        Assert.Contains("/tmp/pyfreeze-", notes[0]);
        Assert.Contains("drwx------", run.StdOut);
    }

    [Fact]
    public void Full_disk_is_one_line_and_leaves_nothing_half_unpacked()
    {
        var app = Hello();
        var script = "mkdir -p /mnt/full/tmp; \"$0\" x; echo \"exit=$?\"; ls -A /mnt/full/cache/run";
        var run = Proc.Exec("bwrap", ["--dev-bind", "/", "/", "--size", "2000000", "--tmpfs", "/mnt/full", "--",
            "env", "PYFREEZE_CACHE_DIR=/mnt/full/cache", "TMPDIR=/mnt/full/tmp", "/bin/bash", "-c", script, app.Executable]);
        Assert.Contains("exit=255", run.StdOut);
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.ToString());
        Assert.Contains("no space left on device", lines[0]);
        Assert.DoesNotContain("hello-", run.StdOut); // neither a final folder nor a temporary one
    }

    [Fact]
    public void Concurrent_first_starts_all_run_and_leave_one_folder()
    {
        var app = Hello();
        var box = Apps.NewSandbox();
        var script = "for i in 1 2 3 4 5 6; do \"$0\" run$i > /tmp/out$i 2>&1 & done; wait; cat /tmp/out*";
        var run = box.Run("/bin/bash", ["-c", script, app.Executable], binds: [Path.GetDirectoryName(app.Executable)!]);
        for (int i = 1; i <= 6; i++)
            Assert.Contains($"argv: ['run{i}']", run.StdOut);
        Assert.DoesNotContain("error", run.StdOut);
        Assert.Single(box.Unpacked());
        AssertNoLeftovers(box.CacheDir);
    }

    /// <summary>The stat calls of one warm start (strace's count of statx and newfstatat, every process).</summary>
    private static int StatCalls(Apps.Built app, Sandbox box, string arg)
    {
        var log = Path.Combine(box.CacheDir, $"strace-{arg}.txt");
        var run = Proc.Exec("strace", ["-f", "-c", "-e", "trace=statx,newfstatat", "-o", log, app.Executable, arg],
            env: new Dictionary<string, string?> { ["PYFREEZE_CACHE_DIR"] = box.CacheDir });
        Assert.True(run.ExitCode == 3 && run.StdErr == "" && run.StdOut.Contains($"argv: ['{arg}']"), run.ToString());
        // strace -c rows: % time, seconds, usecs/call, calls, [errors,] syscall
        var calls = File.ReadAllLines(log).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 5 && f[^1] is "statx" or "newfstatat")
            .Sum(f => int.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture));
        File.Delete(log);
        return calls;
    }

    [Fact]
    public void A_warm_start_checks_the_folders_and_mapped_files_not_every_file()
    {
        var app = Hello();
        var box = Apps.NewSandbox();
        Assert.Equal(3, box.Run(app.Executable, ["first"]).ExitCode);
        var dir = box.Unpacked().Single();
        var folders = Directory.GetDirectories(dir, "*", SearchOption.AllDirectories);
        var files = Directory.GetFiles(dir, "*", SearchOption.AllDirectories);
        var stamp = File.ReadAllLines(Path.Combine(dir, ".pyfreeze-folders"));
        Assert.Equal("pyfreeze-folders 1", stamp[0]);
        Assert.Equal(folders.Length + 1, stamp.Count(l => l.StartsWith("d ", StringComparison.Ordinal))); // and the copy itself
        var interpreter = Path.Combine(dir, "python", "bin", "hello");
        Assert.Contains($"f {new FileInfo(interpreter).Length} python/bin/hello", stamp);
        Assert.Contains(stamp, l => l.StartsWith("f ", StringComparison.Ordinal) && l.EndsWith("/libz.so.1", StringComparison.Ordinal));
        Assert.DoesNotContain(stamp, l => l.EndsWith(".pyc", StringComparison.Ordinal));
        Assert.Equal($"end {stamp.Length - 2}", stamp[^1]);

        // The warm start stats what the stamp names (and what the interpreter stats itself), far fewer than the files.
        var quick = StatCalls(app, box, "warm");
        File.Delete(Path.Combine(dir, ".pyfreeze-folders"));
        var full = StatCalls(app, box, "full"); // no stamp: every manifest entry, then the stamp written again
        Assert.True(File.Exists(Path.Combine(dir, ".pyfreeze-folders")));
        Assert.True(full - quick > files.Length / 2, $"{quick} stat calls with the stamp, {full} without, {files.Length} files");
        Assert.True(StatCalls(app, box, "again") <= quick + 5);
    }

    [Fact]
    public void A_file_the_app_adds_beside_its_modules_costs_one_full_check_and_no_message()
    {
        var app = Hello();
        var box = Apps.NewSandbox();
        Assert.Equal(3, box.Run(app.Executable, ["first"]).ExitCode);
        var dir = box.Unpacked().Single();
        var stampPath = Path.Combine(dir, ".pyfreeze-folders");
        var before = File.ReadAllText(stampPath);
        File.WriteAllText(Path.Combine(dir, "app", "written-by-the-app.cache"), "x"); // app/'s modification time changes
        var quickBefore = StatCalls(app, box, "changed");
        Assert.NotEqual(before, File.ReadAllText(stampPath)); // the full check found the copy sound and recorded it anew
        Assert.True(StatCalls(app, box, "settled") < quickBefore);
        Assert.True(File.Exists(Path.Combine(dir, "app", "written-by-the-app.cache")));
        Assert.Single(box.Unpacked());
    }

    [Fact]
    public void A_warm_start_still_clears_what_a_crashed_first_start_left_after_the_clean_up_stamp()
    {
        var app = Hello();
        var box = Apps.NewSandbox();
        Assert.Equal(3, box.Run(app.Executable, ["first"]).ExitCode);
        Assert.Equal(3, box.Run(app.Executable, ["second"]).ExitCode);
        var dir = box.Unpacked().Single();
        var run = Path.Combine(box.CacheDir, "run");
        var stamp = File.ReadAllText(Path.Combine(dir, ".pyfreeze-cleaned")); // run/'s inode and modification time
        Assert.Matches("^[0-9]+ -?[0-9]+$", stamp);
        // A first start that died mid-unpack (no such process): run/ changed since the stamp, so the next start looks.
        var dead = Path.Combine(run, $".{CacheName(app)}.999999999.deadbeef.tmp");
        Directory.CreateDirectory(Path.Combine(dead, "python"));
        Assert.Equal(3, box.Run(app.Executable, ["third"]).ExitCode);
        Assert.False(Directory.Exists(dead));
        Assert.NotEqual(stamp, File.ReadAllText(Path.Combine(dir, ".pyfreeze-cleaned")));
        AssertNoLeftovers(box.CacheDir);
    }

    [Fact]
    public void A_half_finished_unpack_is_not_trusted()
    {
        var app = Hello();
        var box = Apps.NewSandbox();
        var stale = Path.Combine(box.CacheDir, "run", CacheName(app));
        Directory.CreateDirectory(Path.Combine(stale, "python", "bin"));
        File.WriteAllText(Path.Combine(stale, "python", "bin", "hello"), "#!/bin/sh\necho hijacked\n");
        Directory.CreateDirectory(Path.Combine(box.CacheDir, "run", $".{CacheName(app)}.999.dead.tmp"));
        var run = box.Run(app.Executable, ["ok"]);
        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("argv: ['ok']", run.StdOut);
        Assert.DoesNotContain("hijacked", run.StdOut);
        Assert.True(File.Exists(Path.Combine(stale, ".pyfreeze-complete")));
    }

    [Fact]
    public void Cache_folders_are_private()
    {
        var app = Hello();
        var box = Apps.NewSandbox();
        box.Run(app.Executable, []);
        var dir = box.Unpacked().Single();
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(dir) & (UnixFileMode)0b111_111_111);
        Assert.Equal((UnixFileMode)0b111_000_000, File.GetUnixFileMode(Path.Combine(dir, "app")) & (UnixFileMode)0b111_111_111);
    }

    [Fact]
    public void The_run_folder_is_marked_top_of_its_trees_where_the_file_system_knows_the_flag()
    {
        // chattr +T: each unpack then starts in a block group of its own (ext4 without a journal otherwise makes every
        // new file skip the group's recently freed inodes one by one). Other file systems refuse the flag; skip there.
        var app = Hello();
        var box = Apps.NewSandbox();
        box.Run(app.Executable, []);
        var run = Path.Combine(box.CacheDir, "run");
        var attrs = Proc.Exec("lsattr", ["-d", run]);
        var flags = attrs.StdOut.Split(' ')[0];
        if (attrs.ExitCode != 0 || !flags.Contains('e'))
            return; // not ext4 (its folders carry the extents flag 'e')
        Assert.Contains('T', flags);
    }

    [Theory]
    [MemberData(nameof(OneFileTests.Pythons_), MemberType = typeof(OneFileTests))]
    public void Onedir_build_runs_with_python_hidden(string python)
    {
        var app = Apps.Get("pkgapp", "main.py", python, "onedir", o => new PyFreeze.Build.BuildSettings
        {
            Entry = o.Entry, Python = o.Python, DistPath = o.DistPath, WorkPath = o.WorkPath, Log = o.Log, OneDir = true,
        });
        Assert.True(Directory.Exists(app.Result.Output));
        Assert.True(File.Exists(Path.Combine(app.Result.Output, "main")));
        Assert.True(Directory.Exists(Path.Combine(app.Result.Output, "app", "mypkg")));
        var box = Apps.NewSandbox();
        var run = box.Run(app.Executable, []);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("core+helpers+2", run.StdOut);
        Assert.Empty(box.Unpacked()); // onedir never unpacks
    }

    [Fact]
    public void App_inside_a_venv()
    {
        using var t = new TempDir("venv");
        var venv = t["venv"];
        var mk = Proc.Exec(Pythons.Debian, ["-m", "venv", "--system-site-packages", venv]);
        Assert.True(mk.ExitCode == 0, mk.ToString());
        var app = t.Write("app/vapp.py", "import sys, yaml\nprint('prefix-is-venv', sys.prefix != sys.base_prefix)\nprint(yaml.safe_dump({'a': 1}).strip())\n");
        var result = Freezer.Build(app, Path.Combine(venv, "bin", "python"), t["dist"]);
        var run = Apps.NewSandbox().Run(result.Executable, []);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("a: 1", run.StdOut);
        // The bundled interpreter is the venv's base interpreter, not the venv's symlink.
        Assert.Contains(result.Files, f => f.Path == "python/bin/vapp");
    }
}
