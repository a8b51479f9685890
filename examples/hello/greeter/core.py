def greet(name, lang, phrases):
    template = phrases.get(lang) or phrases["en"]
    return template.format(name=name)
