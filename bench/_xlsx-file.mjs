// Writes the customers-import bench rows as an xlsx workbook: node bench/_xlsx-file.mjs <path> <rows>.
// Its own process, so the writer's memory does not count in the import's peak RSS.
import ExcelJS from 'exceljs';

const [file, rows] = [process.argv[2], Number(process.argv[3])];
const TIERS = ['VIP', '重要', '普通'];
const mobile = (g) => `1${3 + (g % 7)}${String((g * 7919) % 1e9).padStart(9, '0')}`;
const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
const ws = wb.addWorksheet('客户');
ws.addRow(['姓名', '手机', '等级', '标签', '地址']).commit();
for (let g = 1; g <= rows; g++)
  ws.addRow([
    `客户${g}`,
    g % 1000 === 500 ? '12345' : mobile(g),
    TIERS[g % 3],
    '导入',
    `上海市浦东新区世纪大道${g % 999}号`,
  ]).commit();
ws.commit();
await wb.commit();
