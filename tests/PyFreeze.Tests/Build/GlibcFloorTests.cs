using PyFreeze.Emit;

namespace PyFreeze.Tests.Build;

/// <summary>The glibc floor an app states (summary, --json, report, launch settings): the payload's binaries' newest
/// GLIBC version need, raised to the bootloader's own when that is newer (the dynamic loader refuses the bootloader on an
/// older glibc before any of its code can say why).</summary>
[Trait("Lane", "Fast")]
public class GlibcFloorTests
{
    [Fact]
    public void The_bootloader_raises_the_floor_only_when_it_needs_a_newer_glibc()
    {
        var payload = (new Version(2, 17), "libpython3.11.so.1.0");
        Assert.Equal((new Version(2, 34), "the bootloader"), BootloaderKit.GlibcFloor(payload, new Version(2, 34)));
        var newer = (new Version(2, 36), "libexpat.so.1.8.10");
        Assert.Equal(newer, BootloaderKit.GlibcFloor(newer, new Version(2, 34)));
        Assert.Equal(newer, BootloaderKit.GlibcFloor(newer, new Version(2, 36))); // a tie names the payload's file
        Assert.Equal(payload, BootloaderKit.GlibcFloor(payload, null)); // a musl or non-ELF host
        Assert.Equal((new Version(2, 34), "the bootloader"), BootloaderKit.GlibcFloor(null, new Version(2, 34)));
        Assert.Null(BootloaderKit.GlibcFloor(null, null));
    }
}
