"""openpyxl + xlsxwriter: write a workbook with xlsxwriter, read it back with openpyxl, print the cells."""
import xlsxwriter, openpyxl
wb = xlsxwriter.Workbook("out.xlsx"); ws = wb.add_worksheet("S")
for i in range(4):
    ws.write_row(i, 0, [i, i * i, "r%d" % i])
ws.write_formula(4, 1, "=SUM(B1:B4)")
wb.close()
for row in openpyxl.load_workbook("out.xlsx")["S"].iter_rows(values_only=True):
    print(row)
