// Form fields: labelled text input, select and checkbox, plus Button. Controlled components with hint and error text.
import { useId, type ButtonHTMLAttributes, type ReactNode } from "react";

interface FieldFrameProps {
  id: string;
  label: ReactNode;
  hint?: ReactNode | undefined;
  error?: ReactNode | undefined;
  children: ReactNode;
}

function FieldFrame({ id, label, hint, error, children }: FieldFrameProps) {
  return (
    <div className="tk-field">
      <label className="tk-field-label" htmlFor={id}>
        {label}
      </label>
      {children}
      {hint !== undefined && error === undefined && <span className="tk-field-hint">{hint}</span>}
      {error !== undefined && <span className="tk-field-error">{error}</span>}
    </div>
  );
}

export interface TextFieldProps {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  type?: "text" | "url" | "email" | "number" | "password" | "search";
  placeholder?: string;
  hint?: ReactNode;
  error?: ReactNode;
  disabled?: boolean;
}

export function TextField({ label, value, onChange, type = "text", placeholder, hint, error, disabled }: TextFieldProps) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint} error={error}>
      <input
        id={id}
        className="tk-input"
        type={type}
        value={value}
        placeholder={placeholder}
        disabled={disabled}
        aria-invalid={error !== undefined}
        onChange={(event) => onChange(event.target.value)}
      />
    </FieldFrame>
  );
}

export interface SelectFieldProps<V extends string> {
  label: ReactNode;
  value: V;
  options: { value: V; label: string }[];
  onChange: (value: V) => void;
  hint?: ReactNode;
  disabled?: boolean;
}

export function SelectField<V extends string>({ label, value, options, onChange, hint, disabled }: SelectFieldProps<V>) {
  const id = useId();
  return (
    <FieldFrame id={id} label={label} hint={hint}>
      <select
        id={id}
        className="tk-select"
        value={value}
        disabled={disabled}
        onChange={(event) => {
          const chosen = options.find((option) => option.value === event.target.value);
          if (chosen) onChange(chosen.value);
        }}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export interface CheckboxFieldProps {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}

export function CheckboxField({ label, checked, onChange, disabled }: CheckboxFieldProps) {
  return (
    <label className="tk-checkbox">
      <input type="checkbox" checked={checked} disabled={disabled} onChange={(event) => onChange(event.target.checked)} />
      {label}
    </label>
  );
}

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: "primary" | "default";
}

export function Button({ variant = "default", type = "button", className, ...rest }: ButtonProps) {
  return <button {...rest} type={type} data-variant={variant} className={["tk-button", className].filter(Boolean).join(" ")} />;
}
