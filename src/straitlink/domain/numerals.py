"""Chinese numerals in a typed date or quantity, read as Arabic: 一〇二年十一月十七日, 民國九十八年六月二十五日, 五公斤,
三千餘公斤, 一萬五千顆, 壹佰公斤, 一點五噸.

Officers and official documents write both; the parsers of dates (domain.dates) and quantities
(domain.quantity_text) read Arabic, so the Chinese runs are rewritten first, by cn2an (a library made for this,
which also reads financial numerals and the 〇-by-digit years). Text without a Chinese numeral is returned as it
is, without loading the library.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Callable

# The characters that start or make a Chinese numeral; 萬/億 alone (1.5萬顆) are the parsers' own multipliers.
_NUMERAL = re.compile("[〇零一二兩两三四五六七八九十廿卅壹貳贰參叁肆伍陸陆柒捌玖拾佰仟半]")
# cn2an reads the Simplified decimal point only.
_POINT = str.maketrans({"點": "点"})


def arabic(text: str) -> str:
    """`text` with its Chinese numerals written in Arabic digits; anything else unchanged."""
    if _NUMERAL.search(text) is None:
        return text
    # cn2an would read 五千克 (5 kg: 千克 is the kilogram) as 5,000 克.
    return _transform()(text.translate(_POINT).replace("千克", "公斤"), "cn2an")


@functools.cache
def _transform() -> Callable[[str, str], str]:
    """cn2an's transform, loaded on first use: a tenth of a second that only text with Chinese numerals pays."""
    from cn2an import transform

    # A run it cannot read (百餘公斤) is left as it was and warned about; the parser then refuses the text with
    # the field and the value, so the library's warning would only repeat that on stderr.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"cn2an(\..*)?$")
    result: Callable[[str, str], str] = transform
    return result
