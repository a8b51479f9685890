"""SQLAlchemy ORM on an sqlite URL: create, insert, query."""
from sqlalchemy import create_engine, Column, Integer, String, select
from sqlalchemy.orm import declarative_base, Session
Base = declarative_base()
class U(Base):
    __tablename__ = "u"; id = Column(Integer, primary_key=True); name = Column(String)
e = create_engine("sqlite:///db.sqlite"); Base.metadata.create_all(e)
with Session(e) as s:
    s.add_all([U(name="ann"), U(name="bob")]); s.commit()
    print([u.name for u in s.scalars(select(U).order_by(U.name))])
