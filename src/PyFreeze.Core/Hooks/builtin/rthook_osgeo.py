# PyFreeze runtime hook for GDAL (osgeo): GDAL_DATA and PROJ's search path name the data the app carries, unless the
# user set GDAL_DATA or PROJ_DATA/PROJ_LIB. Applied when the app imports osgeo; the environment is left alone, so the
# programs the app starts see the user's own.
import os


def _pyfreeze_osgeo_data(osgeo, data):
    gdal_data = os.path.join(data, "gdal")
    if not os.environ.get("GDAL_DATA") and os.path.isdir(gdal_data) and hasattr(osgeo, "_gdal"):
        # Threads that start looking for files later read the option; this one has read it already (loading _gdal).
        osgeo._gdal.SetConfigOption("GDAL_DATA", gdal_data)
        if hasattr(osgeo._gdal, "PushFinderLocation"):
            osgeo._gdal.PushFinderLocation(gdal_data)


def _pyfreeze_osr_data(osr, data):
    proj_data = os.path.join(data, "proj")
    if not (os.environ.get("PROJ_DATA") or os.environ.get("PROJ_LIB")) and os.path.isfile(os.path.join(proj_data, "proj.db")):
        if hasattr(osr, "SetPROJSearchPaths"):
            osr.SetPROJSearchPaths([proj_data])


_pyfreeze_osgeo_dir = os.path.join(__pyfreeze__["meipass"], "osgeo", "_pyfreeze_data")  # noqa: F821
__pyfreeze__["after_import"]("osgeo", lambda m: _pyfreeze_osgeo_data(m, _pyfreeze_osgeo_dir))  # noqa: F821
__pyfreeze__["after_import"]("osgeo.osr", lambda m: _pyfreeze_osr_data(m, _pyfreeze_osgeo_dir))  # noqa: F821
