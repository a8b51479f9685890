"""Extensions, each for another program (SQLAlchemy's sqlalchemy.ext layout)."""
