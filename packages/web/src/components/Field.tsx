import type { ReactNode, Ref } from 'react';

/** What a form control needs to be tied to its label, hint and error for screen readers. */
export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

/**
 * One labelled form field: the label, an optional hint, the error when there is one, and the control,
 * wired together so a screen reader reads the hint and the error with the control. The error sits
 * above the control, where a person looking at the field reads it before typing again.
 */
export function Field({
  id,
  label,
  hint,
  error,
  optional,
  className,
  children,
}: {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | undefined;
  /** Shown after the label: most fields of the platform's forms are required. */
  optional?: ReactNode;
  className?: string;
  children: (control: ControlProps) => ReactNode;
}) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label htmlFor={id}>
        {label}
        {optional ? <span className="optional-mark"> {optional}</span> : null}
      </label>
      {hint ? (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
      {children({
        id,
        ...(described ? { 'aria-describedby': described } : {}),
        ...(error ? { 'aria-invalid': true as const } : {}),
      })}
    </div>
  );
}

/** Errors of a form, listed at its top with links to the fields, focused when the form is sent. */
export function ErrorSummary({
  title,
  errors,
  children,
  summaryRef,
}: {
  title: string;
  errors: { id: string; message: string }[];
  children?: ReactNode;
  summaryRef?: Ref<HTMLDivElement>;
}) {
  return (
    <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef}>
      <h3>{title}</h3>
      {errors.length > 0 && (
        <ul>
          {errors.map((e) => (
            <li key={e.id}>
              <a href={`#${e.id}`}>{e.message}</a>
            </li>
          ))}
        </ul>
      )}
      {children}
    </div>
  );
}
