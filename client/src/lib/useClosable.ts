import { useEffect, useRef, useState } from 'react';

/**
 * Creates a resource after mount and closes it on unmount. Creating it in an effect (not during render)
 * means StrictMode's trial mount gets, and closes, its own instance instead of leaking one.
 * Key the component to get a fresh resource for new inputs.
 */
export function useClosable<T extends { close(): void }>(create: () => T): T | null {
  const [resource, setResource] = useState<T | null>(null);
  const createRef = useRef(create);
  useEffect(() => {
    const created = createRef.current();
    setResource(created);
    return () => created.close();
  }, []);
  return resource;
}
