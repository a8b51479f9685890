namespace PyFreeze.Emit;

/// <summary>The emit stage's hand-off: what is in the dist folder now.</summary>
/// <param name="Output">The executable (onefile), the folder (onedir) or the .app (osx-arm64 --windowed).</param>
/// <param name="Executable">The executable itself.</param>
/// <param name="Emit">The executable's sizes and payload offset.</param>
/// <param name="Bootloader">Which bootloader the executable starts with (<see cref="BootloaderKit.Description"/>).</param>
/// <param name="GlibcFloor">The oldest glibc the app runs on and what needs it (<see cref="BootloaderKit.GlibcFloor"/>:
/// the payload's binaries or the bootloader), or null when it needs no glibc.</param>
public sealed record EmittedApp(string Output, string Executable, EmitResult Emit, string Bootloader, (Version Version, string By)? GlibcFloor = null);
