# PyFreeze runtime hook for shapely 1.x: shapely.geos runs with sys.frozen unset, so it loads libgeos_c through
# find_library (the bundled copy) instead of looking for PyInstaller's file layout. Nothing happens until the app
# imports shapely.geos; shapely 2 loads GEOS by linking and is not affected.
import sys


class _PyFreezeShapelyGeos:
    def find_spec(self, name, path=None, target=None):
        if name != "shapely.geos":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        exec_module = spec.loader.exec_module

        def exec_unfrozen(module):
            frozen = sys.__dict__.pop("frozen", None)
            try:
                exec_module(module)
            finally:
                if frozen is not None:
                    sys.frozen = frozen

        spec.loader.exec_module = exec_unfrozen
        return spec


sys.meta_path.insert(0, _PyFreezeShapelyGeos())
