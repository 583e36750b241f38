// Table: a typed data table. Columns say how to render a cell; rows need a stable key. Shows `empty` when there are no rows.
import type { ReactNode } from "react";

export interface Column<Row> {
  /** Header text. */
  header: ReactNode;
  /** Renders the cell of `row`. */
  cell: (row: Row) => ReactNode;
  /** Right-align numbers. */
  align?: "left" | "right";
}

export interface TableProps<Row> {
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string | number;
  /** Shown instead of the table when `rows` is empty. */
  empty?: ReactNode;
  caption?: string;
}

export function Table<Row>({ columns, rows, rowKey, empty, caption }: TableProps<Row>) {
  if (rows.length === 0 && empty !== undefined) return <>{empty}</>;
  return (
    <div className="tk-table-wrap">
      <table className="tk-table">
        {caption !== undefined && <caption className="tk-muted">{caption}</caption>}
        <thead>
          <tr>
            {columns.map((column, i) => (
              <th key={i} style={{ textAlign: column.align ?? "left" }}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column, i) => (
                <td key={i} style={{ textAlign: column.align ?? "left" }}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
