namespace PyFreeze.Analyze;

/// <summary>
/// <c>six.moves</c>: a virtual package that six (and its vendored copies, e.g. <c>urllib3.packages.six</c>)
/// installs with a meta-path importer; its submodules stand for Python 3 modules. The table is six 1.16's
/// <c>_moved_attributes</c> (MovedModule entries) and <c>_urllib_*_moved_attributes</c>.
/// </summary>
public static class SixMoves
{
    private static readonly Dictionary<string, string> Modules = new(StringComparer.Ordinal)
    {
        ["builtins"] = "builtins", ["configparser"] = "configparser", ["copyreg"] = "copyreg",
        ["dbm_gnu"] = "dbm.gnu", ["dbm_ndbm"] = "dbm.ndbm", ["_dummy_thread"] = "_thread",
        ["http_cookiejar"] = "http.cookiejar", ["http_cookies"] = "http.cookies", ["html_entities"] = "html.entities",
        ["html_parser"] = "html.parser", ["http_client"] = "http.client", ["email_mime_base"] = "email.mime.base",
        ["email_mime_image"] = "email.mime.image", ["email_mime_multipart"] = "email.mime.multipart",
        ["email_mime_nonmultipart"] = "email.mime.nonmultipart", ["email_mime_text"] = "email.mime.text",
        ["BaseHTTPServer"] = "http.server", ["CGIHTTPServer"] = "http.server", ["SimpleHTTPServer"] = "http.server",
        ["cPickle"] = "pickle", ["queue"] = "queue", ["reprlib"] = "reprlib", ["socketserver"] = "socketserver",
        ["_thread"] = "_thread", ["tkinter"] = "tkinter", ["tkinter_dialog"] = "tkinter.dialog",
        ["tkinter_filedialog"] = "tkinter.filedialog", ["tkinter_scrolledtext"] = "tkinter.scrolledtext",
        ["tkinter_simpledialog"] = "tkinter.simpledialog", ["tkinter_tix"] = "tkinter.tix", ["tkinter_ttk"] = "tkinter.ttk",
        ["tkinter_constants"] = "tkinter.constants", ["tkinter_dnd"] = "tkinter.dnd",
        ["tkinter_colorchooser"] = "tkinter.colorchooser", ["tkinter_commondialog"] = "tkinter.commondialog",
        ["tkinter_tkfiledialog"] = "tkinter.filedialog", ["tkinter_font"] = "tkinter.font",
        ["tkinter_messagebox"] = "tkinter.messagebox", ["tkinter_tksimpledialog"] = "tkinter.simpledialog",
        ["urllib_parse"] = "urllib.parse", ["urllib_error"] = "urllib.error", ["urllib"] = "urllib",
        ["urllib_robotparser"] = "urllib.robotparser", ["xmlrpc_client"] = "xmlrpc.client",
        ["xmlrpc_server"] = "xmlrpc.server", ["winreg"] = "winreg", ["collections_abc"] = "collections.abc",
        ["urllib.parse"] = "urllib.parse", ["urllib.error"] = "urllib.error", ["urllib.request"] = "urllib.request",
        ["urllib.response"] = "urllib.response", ["urllib.robotparser"] = "urllib.robotparser",
    };

    /// <summary>Maps a name below <c>six.moves</c> (e.g. <c>http_client</c>, <c>urllib.parse</c>) to the module it stands for.</summary>
    /// <returns>The real module name, or null when the name is an attribute (<c>range</c>) or unknown.</returns>
    public static string? Resolve(string subName) => Modules.GetValueOrDefault(subName);

    /// <summary>True when <paramref name="node"/> is a copy of six: a plain module named <c>six</c> whose source defines the meta-path importer.</summary>
    public static bool IsSixModule(ModuleNode node)
    {
        if (node.Kind != ModuleKind.Source || node.Path is null || !node.Name.EndsWith("six", StringComparison.Ordinal))
            return false;
        try
        {
            var text = File.ReadAllText(node.Path);
            return text.Contains("_SixMetaPathImporter", StringComparison.Ordinal) || text.Contains("class _MovedItems", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
