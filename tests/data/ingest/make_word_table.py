"""Writes ho-r3-tw-cga-2019-word-table.docx, the evaluation set's Word document (run once; the file is committed)."""

from pathlib import Path

import docx

d = docx.Document()
d.add_paragraph("海洋委員會海巡署　兩岸共同打擊海上犯罪成果統計")
d.add_paragraph("發布日期：108-01-15")
d.add_paragraph("本署依「海峽兩岸共同打擊犯罪及司法互助協議」與陸方合作查緝海上犯罪，107年全年成果如下表。")
t = d.add_table(rows=4, cols=3)
cells = [
    ["項目", "106年", "107年"],
    ["合作偵辦案件", "14件", "17件"],
    ["查獲毒品", "2,310公斤", "1,875公斤"],
    ["遣返人數", "26人", "31人"],
]
for r, row in enumerate(cells):
    for c, v in enumerate(row):
        t.cell(r, c).text = v
d.add_paragraph("本署將持續深化兩岸海上執法合作。")
d.save(str(Path(__file__).with_name("ho-r3-tw-cga-2019-word-table.docx")))
