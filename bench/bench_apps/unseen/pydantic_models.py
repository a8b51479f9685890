"""pydantic + marshmallow + attrs: validate data, print the errors."""
import attr, marshmallow, pydantic
class M(pydantic.BaseModel):
    n: int
    tags: list = []
print(M(n="3").json())
try:
    M(n="x")
except pydantic.ValidationError as e:
    print(len(e.errors()), e.errors()[0]["loc"])
class S(marshmallow.Schema):
    n = marshmallow.fields.Int(required=True)
print(S().validate({"n": "x"}))
@attr.s(auto_attribs=True)
class P:
    x: int
print(P(1))
