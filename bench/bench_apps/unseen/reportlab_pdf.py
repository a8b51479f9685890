"""reportlab: a one-page PDF with text in a standard font; print its page count and the first bytes."""
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from reportlab.pdfbase.pdfmetrics import stringWidth
c = canvas.Canvas("out.pdf", pagesize=A4, invariant=1)
c.setFont("Helvetica", 14); c.drawString(72, 720, "Hello from reportlab"); c.showPage(); c.save()
print(open("out.pdf", "rb").read(8), round(stringWidth("Hello", "Helvetica", 14), 3))
