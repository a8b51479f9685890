"""dateutil + arrow + humanize: parse, shift, and humanize dates."""
import datetime, dateutil.parser, dateutil.tz, arrow, humanize
d = dateutil.parser.parse("2024-03-01T10:00:00+02:00")
print(d.astimezone(dateutil.tz.gettz("America/New_York")))
print(arrow.get("2024-03-01").shift(days=+40).format("YYYY-MM-DD dddd"))
print(humanize.naturalsize(123456789), humanize.intcomma(1234567), humanize.naturaldelta(datetime.timedelta(hours=3)))
humanize.i18n.activate("fr_FR"); print(humanize.naturaldelta(datetime.timedelta(hours=3)))
