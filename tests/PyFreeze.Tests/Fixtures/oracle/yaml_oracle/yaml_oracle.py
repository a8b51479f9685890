"""Oracle app: PyYAML with its C loader when present."""
import yaml

doc = yaml.safe_load("a: 1\nb: [x, y]\nc: {d: 2020-01-01}\n")
print(doc, yaml.dump(doc, default_flow_style=False))
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
print(yaml.load("- 1\n- 2\n", Loader=Loader), yaml.__with_libyaml__)
print(list(yaml.safe_load_all("--- 1\n--- 2\n")))
